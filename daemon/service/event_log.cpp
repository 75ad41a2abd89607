#include "service/event_log.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace otpd {
namespace {

int syslog_priority(LogLevel level) {
  switch (level) {
    case LogLevel::error: return LOG_ERR;
    case LogLevel::warning: return LOG_WARNING;
    case LogLevel::notice: return LOG_NOTICE;
    case LogLevel::info: return LOG_INFO;
  }
  return LOG_INFO;
}

std::string journal_key(std::string_view key) {
  std::string out = "OTPD_";
  for (const char c : key) out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  return out;
}

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  return std::ranges::any_of(value, [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7F || c == '"' || c == '\\' || c == '=';
  });
}

void write_stderr_line(std::string line) {
  line.push_back('\n');
  // One write, so concurrent writers never interleave within a line.
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

std::string escape_log_value(std::string_view value) {
  if (!needs_quotes(value)) return std::string(value);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20 || byte == 0x7F) {
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::string format_event_line(const SecurityEvent& event) {
  std::string line(event.event);
  for (const auto& field : event.fields) {
    line += ' ';
    line += field.key;
    line += '=';
    line += escape_log_value(field.value);
  }
  return line;
}

SystemEventLog::SystemEventLog() : use_journal_(::access("/run/systemd/journal/socket", W_OK) == 0) {}

void SystemEventLog::security(const SecurityEvent& event) {
  const std::string line = format_event_line(event);
  if (!use_journal_) {
    write_stderr_line("otpd: " + line);
    return;
  }
  std::vector<std::string> entries{"MESSAGE=" + line, "PRIORITY=" + std::to_string(syslog_priority(event.level)),
                                   "SYSLOG_IDENTIFIER=otpd", "OTPD_EVENT=" + std::string(event.event)};
  for (const auto& field : event.fields) entries.push_back(journal_key(field.key) + "=" + field.value);
  std::vector<iovec> vectors;
  vectors.reserve(entries.size());
  for (auto& entry : entries) vectors.push_back({entry.data(), entry.size()});
  sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size()));
}

void SystemEventLog::message(LogLevel level, std::string_view text) {
  if (use_journal_) {
    const std::string terminated(text);
    sd_journal_print(syslog_priority(level), "%s", terminated.c_str());
  } else {
    write_stderr_line("otpd: " + std::string(text));
  }
}

}  // namespace otpd
