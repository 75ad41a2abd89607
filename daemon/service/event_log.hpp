// The daemon's log: one structured line per security event, to the journal when
// there is one, else to stderr. Values that came from a caller (user, service,
// rhost) are escaped so that nobody can forge a line. Codes and secrets are never
// among the fields: there is no field for them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace otpd {

enum class LogLevel { error, warning, notice, info };

struct LogField {
  std::string_view key;  // lower case; the journal gets OTPD_<KEY>
  std::string value;
};

struct SecurityEvent {
  std::string_view event;  // "login_success", "login_failure", "lockout", "enroll", ...
  LogLevel level = LogLevel::info;
  std::vector<LogField> fields;
};

class EventLog {
 public:
  virtual ~EventLog() = default;
  virtual void security(const SecurityEvent& event) = 0;
  virtual void message(LogLevel level, std::string_view text) = 0;
};

// The journal if its socket is there, else stderr.
class SystemEventLog final : public EventLog {
 public:
  SystemEventLog();
  void security(const SecurityEvent& event) override;
  void message(LogLevel level, std::string_view text) override;

 private:
  bool use_journal_;
};

// `key=value` pairs for one line; values with spaces, quotes or control characters
// are quoted and escaped.
[[nodiscard]] std::string format_event_line(const SecurityEvent& event);
[[nodiscard]] std::string escape_log_value(std::string_view value);

}  // namespace otpd
