// Answers that may carry a secret (the TOTP secret and otpauth URI at enable, backup
// codes) leave no copy of it in freed memory: their JSON text is written straight
// into wiped memory, and libmicrohttpd sends it from there and hands it back to be
// wiped when it is done (MHD_RESPMEM_MUST_COPY would keep a copy of its own, freed
// unwiped). The JSON values themselves are wiped once the text is made.
#pragma once

#include <microhttpd.h>

#include <nlohmann/json.hpp>

#include <memory>

#include "secure_bytes.hpp"

namespace otpd {

// `body` as otpd sends it: compact, invalid UTF-8 replaced, a newline at the end.
[[nodiscard]] SecureBytes json_text(const nlohmann::json& body);

struct MhdResponseDeleter {
  void operator()(MHD_Response* response) const { MHD_destroy_response(response); }
};
using MhdResponse = std::unique_ptr<MHD_Response, MhdResponseDeleter>;

// A response whose body is `text`, which MHD owns from here on and wipes through a
// free callback when it destroys the response. Null when MHD cannot make one (and
// `text` is wiped here).
[[nodiscard]] MhdResponse wiped_response(SecureBytes text);

}  // namespace otpd
