// A CodeReader that answers prompts from a script, for the command tests.
#pragma once

#include <string>
#include <vector>

#include "shared/prompt.hpp"

namespace otpd::cli::test_support {

class ScriptedCodes final : public CodeReader {
 public:
  explicit ScriptedCodes(std::vector<std::string> lines) : lines_(std::move(lines)) {}

  tl::expected<SecureString, PromptError> read_code(std::string_view prompt) override {
    prompts_.emplace_back(prompt);
    if (next_ == lines_.size()) return tl::unexpected(PromptError::end_of_input);
    const auto& line = lines_[next_++];
    SecureString code = SecureString::with_capacity(line.size());
    (void)code.append(line);
    return code;
  }

  [[nodiscard]] const std::vector<std::string>& prompts() const { return prompts_; }

 private:
  std::vector<std::string> lines_;
  std::size_t next_ = 0;
  std::vector<std::string> prompts_;
};

}  // namespace otpd::cli::test_support
