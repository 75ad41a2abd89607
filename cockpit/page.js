// The page: the status card, the set-up (QR, key, first code), the code form that
// new backup codes and turning off need, and the backup codes, shown once.

/* global cockpit */

import * as api from "./api.js";
import {
    describeDeadline, describeKind, describeOtpauth, describeProblem, describeRefusal, describeTime,
    groupInFours, readCode,
} from "./words.js";

const _ = cockpit.gettext;
const FEW_BACKUP_CODES = 2;

const $ = id => document.getElementById(id);
const now = () => Math.floor(Date.now() / 1000);

let userName = ""; // for the backup codes' file
let codeAction = null; // "backupCodes" or "disable" while the code card is open
let openedBy = null; // the button to give the focus back to when a card closes

// ---- notices ----------------------------------------------------------------

function clearNotice() {
    $("notice").replaceChildren();
}

// kind: "danger", "success" or "info". Errors are alerts (read out at once),
// the rest status messages.
function showNotice(kind, text) {
    const alert = document.createElement("div");
    alert.className = "pf-c-alert pf-m-inline pf-m-" + kind;
    alert.setAttribute("role", kind === "danger" ? "alert" : "status");
    const title = document.createElement("p");
    title.className = "pf-c-alert__title";
    const label = document.createElement("span");
    label.className = "pf-u-screen-reader";
    label.textContent = kind === "danger" ? _("Error:") : kind === "success" ? _("Done:") : _("Note:");
    title.append(label, " ", text);
    alert.append(title);
    alert.id = "notice-" + kind;
    $("notice").replaceChildren(alert);
}

// A failed call, in words. After a wrong code (422, which may have started a
// lockout) or a 429 (a lockout, or otpd busy making backup codes) the status is
// read again: it says whether, and until when, the account is locked.
async function showFailure(action, answer) {
    if (answer.problem) {
        showNotice("danger", describeProblem(answer.problem));
        return;
    }
    let context = { lockedUntil: null, now: now() };
    if (answer.status === 429 || answer.status === 422) {
        const fresh = await api.status();
        if (fresh.status === 200 && fresh.body) {
            renderStatus(fresh.body);
            context = { lockedUntil: fresh.body.lockedUntil, now: now() };
        }
    }
    showNotice("danger", describeRefusal(action, answer, context));
}

// ---- busy -------------------------------------------------------------------

// While a call runs, its card says so and no button starts another one.
async function busy(card, work) {
    const buttons = document.querySelectorAll("button");
    card.setAttribute("aria-busy", "true");
    buttons.forEach(button => { button.disabled = true });
    try {
        return await work();
    } finally {
        card.removeAttribute("aria-busy");
        buttons.forEach(button => { button.disabled = false });
    }
}

// ---- status -----------------------------------------------------------------

function showRow(id, text) {
    $(id + "-group").hidden = text === null || text === undefined || text === "";
    if (!$(id + "-group").hidden)
        $(id).textContent = text;
}

function describeState(status) {
    if (status.enabled)
        return _("On");
    return _("Off");
}

function describeBackupCodes(status) {
    if (!status.enabled || !Number.isInteger(status.backupCodesRemaining))
        return null;
    const left = status.backupCodesRemaining;
    if (left <= FEW_BACKUP_CODES)
        return cockpit.format(_("$0 — make new ones soon"), left);
    return String(left);
}

function describeLock(status) {
    if (!Number.isInteger(status.lockedUntil) || status.lockedUntil <= now())
        return null;
    return cockpit.format(_("After too many wrong codes, until $0"), describeDeadline(status.lockedUntil, now()));
}

// lastUsed, type and digits are newer fields of the status answer: shown when
// otpd sends them, left out when it does not.
function describeLastUse(status) {
    if (!Number.isInteger(status.lastUsed) || status.lastUsed <= 0)
        return null;
    return describeTime(status.lastUsed, now());
}

function renderStatus(status) {
    $("status-loading").hidden = true;
    $("status-list").hidden = false;
    $("status-state").textContent = describeState(status);
    $("status-pending-group").hidden = !(status.pending && !status.enabled);
    showRow("status-type", status.enabled ? describeKind(status.type, status.digits) : null);
    showRow("status-backup-codes", describeBackupCodes(status));
    showRow("status-last-used", describeLastUse(status));
    showRow("status-locked", describeLock(status));
    $("enable-button").hidden = status.enabled;
    $("backup-codes-button").hidden = !status.enabled;
    $("disable-button").hidden = !status.enabled;
    $("status-card").removeAttribute("aria-busy");
}

function renderUnknown() {
    $("status-loading").hidden = false;
    $("status-loading").textContent = _("Not known right now: see the message above.");
    $("status-list").hidden = true;
    for (const id of ["enable-button", "backup-codes-button", "disable-button"])
        $(id).hidden = true;
    $("status-card").removeAttribute("aria-busy");
}

async function refreshStatus() {
    const answer = await api.status();
    if (answer.status === 200 && answer.body) {
        renderStatus(answer.body);
        return true;
    }
    renderUnknown();
    await showFailure("status", answer);
    return false;
}

// ---- cards ------------------------------------------------------------------

function closeCards() {
    for (const id of ["setup-card", "code-card"])
        $(id).hidden = true;
    $("setup-code").value = "";
    $("code-input").value = "";
    codeAction = null;
}

function giveFocusBack() {
    const target = openedBy && !openedBy.hidden ? openedBy : $("refresh-button");
    target.focus();
    openedBy = null;
}

function markInvalid(input, invalid) {
    input.setAttribute("aria-invalid", invalid ? "true" : "false");
}

// ---- set-up -----------------------------------------------------------------

async function startSetup(event) {
    clearNotice();
    openedBy = event.currentTarget;
    const answer = await busy($("status-card"), api.enable);
    if (answer.status !== 200 || !answer.body || !answer.body.secret) {
        await showFailure("enable", answer);
        await refreshStatus();
        return;
    }
    closeCards();
    showSetup(answer.body);
}

function showSetup(enrollment) {
    $("setup-qr").src = enrollment.qr || "";
    $("setup-qr").hidden = !enrollment.qr;
    $("setup-secret").textContent = groupInFours(enrollment.secret);
    const details = describeOtpauth(enrollment.otpauthUri || "") || {};
    $("setup-issuer").textContent = details.issuer || "—";
    $("setup-account").textContent = details.account || "—";
    $("setup-kind").textContent = details.kind || "—";
    $("setup-expiry").textContent = Number.isInteger(enrollment.expiresAt)
        ? cockpit.format(_("This set-up expires at $0."), describeDeadline(enrollment.expiresAt, now()))
        : "";
    markInvalid($("setup-code"), false);
    $("setup-card").hidden = false;
    $("setup-code").focus();
}

async function finishSetup(event) {
    event.preventDefault();
    clearNotice();
    const typed = readCode($("setup-code").value);
    if (typed.error) {
        markInvalid($("setup-code"), true);
        showNotice("danger", typed.error);
        $("setup-code").focus();
        return;
    }
    const answer = await busy($("setup-card"), () => api.confirm(typed.code));
    if (answer.status === 200 && answer.body) {
        closeCards();
        showNotice("success", _("Two-factor login is now on."));
        showBackupCodes(answer.body.backupCodes, false);
        await refreshStatus();
        return;
    }
    await showFailure("confirm", answer);
    if (answer.status === 422) {
        markInvalid($("setup-code"), true);
        $("setup-code").select();
        $("setup-code").focus();
    } else if (answer.status === 409 || answer.status === 410) {
        closeCards();
        await refreshStatus();
        giveFocusBack();
    }
}

function cancelSetup() {
    // The pending set-up stays in otpd until it expires; starting again replaces it.
    closeCards();
    clearNotice();
    giveFocusBack();
}

// ---- backup codes and turning off: both need a code --------------------------

const CODE_FORMS = {
    backupCodes: {
        title: _("New backup codes"),
        explanation: _("A new set of ten backup codes replaces the old one: the old codes stop working."),
        submit: _("Make new backup codes"),
    },
    disable: {
        title: _("Turn off two-factor login"),
        explanation: _("Your secret key and backup codes are deleted; logins then ask for your password only " +
                       "(unless your administrator requires a code)."),
        submit: _("Turn off"),
    },
};

function openCodeForm(action, event) {
    clearNotice();
    closeCards();
    openedBy = event.currentTarget;
    codeAction = action;
    const form = CODE_FORMS[action];
    $("code-title").textContent = form.title;
    $("code-explanation").textContent = form.explanation;
    $("code-submit").textContent = form.submit;
    $("code-submit").classList.toggle("pf-m-danger", action === "disable");
    $("code-submit").classList.toggle("pf-m-primary", action !== "disable");
    markInvalid($("code-input"), false);
    $("code-card").hidden = false;
    $("code-input").focus();
}

async function submitCode(event) {
    event.preventDefault();
    clearNotice();
    const action = codeAction;
    const typed = readCode($("code-input").value);
    if (typed.error) {
        markInvalid($("code-input"), true);
        showNotice("danger", typed.error);
        $("code-input").focus();
        return;
    }
    const send = action === "disable" ? api.disable : api.newBackupCodes;
    const answer = await busy($("code-card"), () => send(typed.code));
    if (answer.status === 200) {
        closeCards();
        if (action === "disable") {
            showNotice("success", _("Two-factor login is now off; its secret key and backup codes are gone."));
        } else {
            showNotice("success", _("New backup codes made."));
            showBackupCodes(answer.body && answer.body.backupCodes, true);
        }
        await refreshStatus();
        if (action === "disable")
            giveFocusBack();
        return;
    }
    await showFailure(action, answer);
    if (answer.status === 422) {
        markInvalid($("code-input"), true);
        $("code-input").select();
        $("code-input").focus();
    } else if (answer.status === 409) {
        closeCards();
        await refreshStatus();
        giveFocusBack();
    }
}

function cancelCodeForm() {
    closeCards();
    clearNotice();
    giveFocusBack();
}

// ---- the backup codes, shown once ---------------------------------------------

function backupCodesText() {
    const codes = Array.from($("codes-list").children, item => item.textContent);
    return cockpit.format(_("Backup codes for two-factor login: $0"), userName) + "\n" +
        _("Each works once, in place of a code from your authenticator app.") + "\n\n" +
        codes.join("\n") + "\n";
}

function showBackupCodes(codes, replacedOld) {
    if (!Array.isArray(codes) || codes.length === 0) {
        showNotice("danger", _("otpd's answer carries no backup codes. Make a new set."));
        return;
    }
    $("codes-list").replaceChildren(...codes.map(code => {
        const item = document.createElement("li");
        item.textContent = code;
        return item;
    }));
    $("codes-old-gone").hidden = !replacedOld;
    $("codes-copy-result").textContent = "";
    $("codes-download").href = "data:text/plain;charset=utf-8," + encodeURIComponent(backupCodesText());
    $("codes-card").hidden = false;
    $("codes-title").setAttribute("tabindex", "-1");
    $("codes-title").focus();
}

async function copyBackupCodes() {
    try {
        await navigator.clipboard.writeText(backupCodesText());
        $("codes-copy-result").textContent = _("Copied to the clipboard.");
    } catch (error) {
        // No clipboard here (a page not served over HTTPS, or a browser that asks
        // first): select the codes, so that Ctrl+C copies them.
        const range = document.createRange();
        range.selectNodeContents($("codes-list"));
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
        $("codes-copy-result").textContent = _("The codes are selected: press Ctrl+C to copy them.");
    }
}

function hideBackupCodes() {
    $("codes-list").replaceChildren();
    $("codes-download").href = "#";
    $("codes-card").hidden = true;
    clearNotice();
    $("refresh-button").focus();
}

// ---- wiring -----------------------------------------------------------------

function escapeCancels(form, cancel) {
    form.addEventListener("keydown", event => {
        if (event.key === "Escape") {
            event.preventDefault();
            cancel();
        }
    });
}

function init() {
    $("enable-button").addEventListener("click", startSetup);
    $("backup-codes-button").addEventListener("click", event => openCodeForm("backupCodes", event));
    $("disable-button").addEventListener("click", event => openCodeForm("disable", event));
    $("refresh-button").addEventListener("click", async () => {
        clearNotice();
        await busy($("status-card"), refreshStatus);
    });
    $("setup-form").addEventListener("submit", finishSetup);
    $("setup-cancel").addEventListener("click", cancelSetup);
    escapeCancels($("setup-form"), cancelSetup);
    $("code-form").addEventListener("submit", submitCode);
    $("code-cancel").addEventListener("click", cancelCodeForm);
    escapeCancels($("code-form"), cancelCodeForm);
    $("codes-copy").addEventListener("click", copyBackupCodes);
    $("codes-done").addEventListener("click", hideBackupCodes);
    cockpit.translate();
    cockpit.user().then(user => { userName = user.name || "" });
    refreshStatus();
}

init();
