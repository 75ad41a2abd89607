#include "http/json_text.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

namespace otpd {
namespace {

// nlohmann's serializer writes through this into a SecureBytes that grows by
// moving into a larger one: the smaller one is wiped as it goes.
class WipedOutput final : public nlohmann::detail::output_adapter_protocol<char> {
 public:
  explicit WipedOutput(SecureBytes& out) : out_(out) {}
  void write_character(char c) override { write_characters(&c, 1); }
  void write_characters(const char* text, std::size_t length) override {
    const std::string_view piece(text, length);
    if (out_.append(piece)) return;
    SecureBytes larger = SecureBytes::with_capacity(std::max(2 * out_.capacity(), out_.size() + length));
    (void)larger.append(out_.view());
    (void)larger.append(piece);
    out_ = std::move(larger);
  }

 private:
  SecureBytes& out_;
};

constexpr std::size_t kFirstCapacity = 1024;

void free_wiped_text(void* text) { delete static_cast<SecureBytes*>(text); }  // wiped by its destructor

}  // namespace

SecureBytes json_text(const nlohmann::json& body) {
  SecureBytes out = SecureBytes::with_capacity(kFirstCapacity);
  nlohmann::detail::serializer<nlohmann::json> serializer(std::make_shared<WipedOutput>(out), ' ',
                                                          nlohmann::json::error_handler_t::replace);
  serializer.dump(body, false, false, 0);
  WipedOutput(out).write_character('\n');
  return out;
}

MhdResponse wiped_response(SecureBytes text) {
  auto owned = std::make_unique<SecureBytes>(std::move(text));
  MHD_Response* response = MHD_create_response_from_buffer_with_free_callback_cls(owned->size(), owned->data(),
                                                                                  &free_wiped_text, owned.get());
  if (response == nullptr) return nullptr;
  (void)owned.release();  // MHD's now: free_wiped_text gets it back
  return MhdResponse(response);
}

}  // namespace otpd
