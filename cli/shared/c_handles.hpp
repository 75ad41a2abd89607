// Owners for the C handles otp-enroll holds: each one is freed by its own library's
// function, exactly once, on every path.
#pragma once

#include <curl/curl.h>
#include <qrencode.h>

#include "unique_fd.hpp"

#include <memory>

namespace otpd::cli {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlSlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

struct QrCodeDeleter {
  void operator()(QRcode* code) const noexcept { QRcode_free(code); }
};
using QrCodePtr = std::unique_ptr<QRcode, QrCodeDeleter>;

using otpd::UniqueFd;  // common/unique_fd.hpp

}  // namespace otpd::cli
