#include "crypto/secret_sealer.hpp"

#include <openssl/evp.h>

#include <memory>

#include "crypto/random_source.hpp"

namespace otpd {
namespace {

constexpr std::uint8_t kFormatVersion = 1;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kHeaderBytes = 1 + kNonceBytes;

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

const unsigned char* as_uchar(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

// Sets up `context` for AES-256-GCM with `key` and `nonce` and feeds the associated
// data; `encrypt` chooses the direction.
bool start_gcm(EVP_CIPHER_CTX* context, bool encrypt, const SecureBytes& key, const std::uint8_t* nonce,
               std::string_view associated_data) {
  int unused = 0;
  return EVP_CipherInit_ex(context, EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt ? 1 : 0) == 1 &&
         EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
         EVP_CipherInit_ex(context, nullptr, nullptr, key.data(), nonce, encrypt ? 1 : 0) == 1 &&
         EVP_CipherUpdate(context, nullptr, &unused, as_uchar(associated_data),
                          static_cast<int>(associated_data.size())) == 1;
}

}  // namespace

Expected<std::vector<std::uint8_t>> SecretSealer::seal(std::span<const std::uint8_t> plaintext,
                                                       std::string_view associated_data) const {
  if (key_.size() != kSealKeyBytes) return fail(ErrorKind::crypto, "the sealing key has the wrong size");
  std::vector<std::uint8_t> out(kHeaderBytes + plaintext.size() + kTagBytes);
  out[0] = kFormatVersion;
  if (auto ok = fill_random({out.data() + 1, kNonceBytes}); !ok) return tl::unexpected(ok.error());

  CipherContext context(EVP_CIPHER_CTX_new());
  int written = 0;
  int final_written = 0;
  if (!context || !start_gcm(context.get(), true, key_, out.data() + 1, associated_data) ||
      EVP_EncryptUpdate(context.get(), out.data() + kHeaderBytes, &written, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(context.get(), out.data() + kHeaderBytes + written, &final_written) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          out.data() + kHeaderBytes + plaintext.size()) != 1) {
    return fail(ErrorKind::crypto, "AES-GCM sealing failed");
  }
  return out;
}

Expected<SecureBytes> SecretSealer::open(std::span<const std::uint8_t> sealed, std::string_view associated_data) const {
  if (key_.size() != kSealKeyBytes) return fail(ErrorKind::crypto, "the sealing key has the wrong size");
  if (sealed.size() < kHeaderBytes + kTagBytes || sealed[0] != kFormatVersion) {
    return fail(ErrorKind::crypto, "a sealed secret has an unknown format");
  }
  const std::size_t body = sealed.size() - kHeaderBytes - kTagBytes;
  SecureBytes plaintext(body);
  std::uint8_t tag[kTagBytes];
  std::copy_n(sealed.data() + kHeaderBytes + body, kTagBytes, tag);

  CipherContext context(EVP_CIPHER_CTX_new());
  int written = 0;
  int final_written = 0;
  if (!context || !start_gcm(context.get(), false, key_, sealed.data() + 1, associated_data) ||
      EVP_DecryptUpdate(context.get(), plaintext.data(), &written, sealed.data() + kHeaderBytes,
                        static_cast<int>(body)) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) != 1 ||
      EVP_DecryptFinal_ex(context.get(), plaintext.data() + written, &final_written) != 1) {
    return fail(ErrorKind::crypto, "a sealed secret did not authenticate (altered, or another key)");
  }
  return plaintext;
}

}  // namespace otpd
