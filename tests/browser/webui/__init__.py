"""Helpers of the browser tests: a real cockpit-ws on loopback, headless Chromium
driven by Selenium, and Cockpit's login page. The namespace, the accounts, the bus
and otpd come from the system tests' harness (tests/system/harness), which this
package puts on the path."""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "..", "..", "system"))
