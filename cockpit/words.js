// What the page says: otpd's answers in words a person understands, and the
// times and keys in the shapes otp-enroll shows them.

/* global cockpit */

import { API_SOCKET, TIMEOUT_SECONDS } from "./api.js";

const _ = cockpit.gettext;

const MINUTE = 60;
const HOUR = 60 * MINUTE;

// "ABCD EFGH IJKL ...": easier to type into an app by hand.
export function groupInFours(secret) {
    return (secret.match(/.{1,4}/g) || []).join(" ");
}

// Rounded down, like otp-enroll: never promise more time than is left.
export function describeDuration(seconds) {
    if (seconds < MINUTE)
        return cockpit.format(_("$0 s"), Math.max(0, Math.floor(seconds)));
    if (seconds < HOUR)
        return cockpit.format(_("$0 min"), Math.floor(seconds / MINUTE));
    const minutes = Math.floor((seconds % HOUR) / MINUTE);
    const hours = cockpit.format(_("$0 h"), Math.floor(seconds / HOUR));
    return minutes ? hours + " " + cockpit.format(_("$0 min"), minutes) : hours;
}

function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

// "14:05:09", or "23 Nov 2026, 14:05:09" when not today.
export function describeTime(unixSeconds, nowSeconds) {
    const when = new Date(unixSeconds * 1000);
    const now = new Date(nowSeconds * 1000);
    const time = when.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    if (sameDay(when, now))
        return time;
    return when.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" }) + ", " + time;
}

// "14:05:09 (in 3 min)"
export function describeDeadline(unixSeconds, nowSeconds) {
    return cockpit.format(_("$0 (in $1)"), describeTime(unixSeconds, nowSeconds),
                          describeDuration(unixSeconds - nowSeconds));
}

export function describeKind(type, digits) {
    const kind = type === "hotp" ? _("counter-based (HOTP)") : type === "totp" ? _("time-based (TOTP)") : null;
    const length = Number.isInteger(digits) ? cockpit.format(_("$0 digits"), digits) : null;
    return [kind, length].filter(Boolean).join(", ") || null;
}

const NOT_RUNNING = _("otpd is not running on this machine, so two-factor login cannot be changed here. " +
                      "Ask your administrator to start otpd.");

// No answer from otpd at all.
export function describeProblem(problem) {
    switch (problem) {
    case "not-found":
        return NOT_RUNNING;
    case "access-denied":
        return cockpit.format(_("Your account may not connect to otpd ($0). Ask your administrator."), API_SOCKET);
    case "timeout":
        return cockpit.format(_("otpd did not answer within $0 s. Try again; if this keeps happening, " +
                                "ask your administrator to look at otpd's log."), TIMEOUT_SECONDS);
    case "disconnected":
        return _("otpd closed the connection before it answered. Try again; if this keeps happening, " +
                 "ask your administrator to look at otpd's log.");
    case "terminated":
        return _("The connection to this machine was lost. Reload the page.");
    default:
        return cockpit.format(_("Cannot talk to otpd ($0). Ask your administrator to look at otpd's log."),
                              problem);
    }
}

// What a 409 means depends on what was asked.
const WRONG_STATE = {
    status: null,
    enable: _("Two-factor login is already on for this account. To start over, turn it off first."),
    confirm: _("This set-up is no longer pending: it was finished, replaced or cancelled meanwhile " +
               "(in another window?). Look at the status above, and start again if you need to."),
    disable: _("Two-factor login is not on for this account."),
    backupCodes: _("Two-factor login is not on for this account."),
};

const WRONG_CODE = {
    confirm: _("Wrong code. Type the code your app shows now, for the key above. " +
               "Wrong codes count: too many in a row lock two-factor changes and logins for a while."),
    disable: _("Wrong code: neither your app's current code nor an unused backup code. " +
               "Wrong codes count: too many in a row lock two-factor changes and logins for a while."),
};
WRONG_CODE.backupCodes = WRONG_CODE.disable;

// context: {lockedUntil, now} — a 429 is a lockout when the status read after it
// says the account is locked (otherwise otpd was busy making backup codes).
export function describeRefusal(action, answer, context) {
    const error = answer.body && typeof answer.body.error === "string" ? answer.body.error : "";
    const retry = answer.retryAfter;
    switch (answer.status) {
    case 400:
    case 413:
        return cockpit.format(_("otpd refused the request as malformed: $0"), error || answer.status);
    case 401:
        return _("otpd refuses to serve this account. Ask your administrator.");
    case 409:
        if (WRONG_STATE[action])
            return WRONG_STATE[action];
        break;
    case 410:
        return _("The set-up expired before it was finished. Start again to get a new key.");
    case 422:
        if (WRONG_CODE[action])
            return WRONG_CODE[action];
        break;
    case 429:
        if (context && context.lockedUntil && context.lockedUntil > context.now) {
            // otpd's own count of the seconds left, where it gave one: the browser's
            // clock may differ from the server's.
            const left = retry || context.lockedUntil - context.now;
            return cockpit.format(_("Too many wrong codes: locked until $0 (in $1). Try again then, " +
                                    "or ask your administrator to unlock your account."),
                                  describeTime(context.lockedUntil, context.now), describeDuration(left));
        }
        return cockpit.format(_("otpd is busy making backup codes for this account. Try again in $0."),
                              describeDuration(retry || 1));
    case 500:
        return _("otpd failed with an internal error. Ask your administrator to look at otpd's log " +
                 "(journalctl -u otpd).");
    case 503:
        if (retry)
            return cockpit.format(_("otpd is busy. Try again in $0."), describeDuration(retry));
        return _("otpd cannot use its database right now (a full disk, or its database server out of reach). " +
                 "Try again later, or tell your administrator.");
    default:
        break;
    }
    const said = error ? ": " + error : "";
    return cockpit.format(_("otpd answered HTTP $0$1"), answer.status, said);
}

// What a person types: spaces are dropped (an app shows "123 456"); the rest must
// look like a code or a backup code. Returns {code} or {error}.
export function readCode(typed) {
    const code = typed.replace(/\s+/g, "");
    if (!code)
        return { error: _("Type a code first.") };
    if (code.length > 64)
        return { error: _("That is too long for a code.") };
    if (!/^[0-9A-Za-z-]+$/.test(code))
        return { error: _("A code is 6 digits, or a backup code like abcd-efgh.") };
    return { code };
}

// issuer and account from otpauth://totp/ISSUER:ACCOUNT?...&issuer=ISSUER
export function describeOtpauth(uri) {
    try {
        const url = new URL(uri);
        const label = decodeURIComponent(url.pathname.replace(/^\/+/, ""));
        const colon = label.indexOf(":");
        const account = colon >= 0 ? label.slice(colon + 1) : label;
        const issuer = url.searchParams.get("issuer") || (colon >= 0 ? label.slice(0, colon) : "");
        const type = url.host || url.pathname.split("/")[0];
        return {
            issuer,
            account,
            kind: describeKind(type, parseInt(url.searchParams.get("digits") || "6", 10)),
            period: url.searchParams.get("period"),
        };
    } catch (error) {
        return null;
    }
}
