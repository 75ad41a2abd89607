"""Cockpit 287's own pages as a person uses them: the login page (user and password,
then any further PAM prompt as a "conversation"), and the shell with its menu,
where each page runs in an iframe named cockpit1:localhost/<path>."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC


def visible_text(by, selector):
    """A condition: the element's text once it is displayed and says something."""
    def condition(driver):
        for element in driver.find_elements(by, selector):
            if element.is_displayed() and element.text.strip():
                return element.text.strip()
        return False
    return condition


def open_login(browser, port):
    browser.driver.delete_all_cookies()
    browser.driver.get(f"http://127.0.0.1:{port}/")
    browser.wait(EC.visibility_of_element_located((By.ID, "login-user-input")), "the login page")


def submit_password(browser, user, password):
    driver = browser.driver
    for field, value in (("login-user-input", user), ("login-password-input", password)):
        element = driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)
    driver.find_element(By.ID, "login-password-input").send_keys(Keys.ENTER)


def wait_for_prompt(browser):
    """The second prompt of the PAM conversation: its text."""
    browser.wait(EC.visibility_of_element_located((By.ID, "conversation-input")), "the login page's second prompt")
    return browser.driver.find_element(By.ID, "conversation-prompt").text


def answer_prompt(browser, answer):
    browser.driver.find_element(By.ID, "conversation-input").send_keys(answer + Keys.ENTER)


def wait_for_login_error(browser):
    return browser.wait(visible_text(By.ID, "login-error-message"), "an error on the login page")


def wait_for_shell(browser):
    """Logged in: the shell's menu is there."""
    browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#host-apps a")), "the shell's menu")


def menu_link(browser, label):
    return browser.wait(EC.element_to_be_clickable((By.XPATH, f'//nav[@id="host-apps"]//a[normalize-space()="{label}"]')),
                        f'a "{label}" entry in the menu')


def enter_page_frame(browser, path):
    """Into the iframe of the shell's page at `path` (e.g. "otpd")."""
    browser.driver.switch_to.default_content()
    browser.wait(EC.frame_to_be_available_and_switch_to_it((By.CSS_SELECTOR, f'iframe[name="cockpit1:localhost/{path}"]')),
                 f"the frame of the {path} page")


def choose_style(browser, style):
    """The shell's Session menu, Style: "auto" (Default), "light" or "dark". The shell
    stores it in localStorage; the pages' frames follow through a storage event."""
    from selenium.webdriver.common.keys import Keys

    driver = browser.driver
    driver.switch_to.default_content()
    browser.wait(EC.element_to_be_clickable((By.ID, "toggle-menu")), "the Session menu").click()
    browser.wait(EC.element_to_be_clickable((By.ID, style)), f"the {style} style").click()
    # The menu may close by itself once the style changes; if not, Escape closes it.
    for still_open in driver.find_elements(By.ID, style):
        still_open.send_keys(Keys.ESCAPE)
    browser.wait(EC.invisibility_of_element_located((By.ID, style)), "the Session menu to close")


def turn_on_administrative_access(browser, password):
    """The shell's "Limited access" button, then the password for sudo: from then
    on Cockpit has a bridge running as root beside the user's, for the channels
    that ask for superuser."""
    driver = browser.driver
    driver.switch_to.default_content()
    browser.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, "button.ct-locked")), "the Limited access button").click()
    field = browser.wait(EC.visibility_of_element_located((By.ID, "switch-to-admin-access-password")),
                         "the administrative access dialog")
    field.send_keys(password + Keys.ENTER)
    browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "button.ct-unlocked")), "administrative access")
