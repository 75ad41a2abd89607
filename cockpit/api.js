// otpd's HTTP API (README "The HTTP API"), on its Unix socket, through Cockpit's
// bridge. Every call settles with an Answer, never throws:
//   {status, body, retryAfter}  otpd answered (any HTTP status; body is the JSON
//                               object, or null when there was none)
//   {problem}                   no answer: Cockpit's problem code ("not-found",
//                               "access-denied", "timeout", "disconnected", ...)

/* global cockpit */

export const API_SOCKET = "/run/otpd/api.sock";

export const ROUTES = Object.freeze({
    status: "/v2/auth/otp/status",
    enable: "/v2/auth/otp/enable",
    confirm: "/v2/auth/otp/confirm",
    disable: "/v2/auth/otp/disable",
    backupCodes: "/v2/auth/otp/backup-codes",
});

// As long as otp-enroll waits by default (--timeout): a new set of backup codes is
// ten slow hashes, and otpd may queue them behind other users' sets.
export const TIMEOUT_SECONDS = 30;

// cockpit.http(PATH): in Cockpit 287's cockpit.js a first argument that starts with
// "/" is a Unix socket (the channel's "unix" option), a number a TCP port.
// The connection is made by this session's cockpit-bridge, which runs as the user
// who logged in to Cockpit: otpd learns who is asking from the socket itself
// (SO_PEERCRED) and serves that user's own enrollment. Never add a `superuser`
// option here: the connection would then come from root's bridge, otpd would see
// uid 0, and root may act for any user — the page would no longer be bound to the
// person logged in.
const http = cockpit.http(API_SOCKET);

function parseBody(text) {
    if (!text)
        return null;
    try {
        const parsed = JSON.parse(text);
        return parsed !== null && typeof parsed === "object" ? parsed : null;
    } catch (error) {
        return null;
    }
}

function retryAfterOf(headers, body) {
    if (body && Number.isInteger(body.retryAfter))
        return body.retryAfter;
    for (const name in headers || {}) {
        if (name.toLowerCase() === "retry-after") {
            const seconds = parseInt(headers[name], 10);
            return Number.isNaN(seconds) ? null : seconds;
        }
    }
    return null;
}

// One request: "GET" with no body, or "POST" with an object sent as JSON.
export function call(method, path, body) {
    return new Promise(resolve => {
        let headers = {};
        const request = method === "GET" ? http.get(path) : http.post(path, body || {});
        const timer = window.setTimeout(() => request.close("timeout"), TIMEOUT_SECONDS * 1000);
        const settle = answer => {
            window.clearTimeout(timer);
            resolve(answer);
        };
        request.response((status, responseHeaders) => { headers = responseHeaders || {} });
        request.then(
            text => {
                const parsed = parseBody(text);
                settle({ status: 200, body: parsed, retryAfter: null });
            },
            // cockpit's promises pass the body of a non-2xx answer as a second argument.
            (error, text) => {
                if (error && error.status) {
                    const parsed = parseBody(text);
                    settle({ status: error.status, body: parsed, retryAfter: retryAfterOf(headers, parsed) });
                } else {
                    settle({ problem: (error && error.problem) || "internal-error" });
                }
            });
    });
}

export const status = () => call("GET", ROUTES.status);
export const enable = () => call("POST", ROUTES.enable, {});
export const confirm = code => call("POST", ROUTES.confirm, { code });
export const disable = code => call("POST", ROUTES.disable, { code });
export const newBackupCodes = code => call("POST", ROUTES.backupCodes, { code });
