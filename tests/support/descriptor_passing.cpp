#include "descriptor_passing.hpp"

#include <sys/socket.h>

#include <cstring>
#include <stdexcept>

namespace otpd::test {
namespace {

// One descriptor per message, riding on one byte of data: a stream socket never
// merges bytes that carry different rights, so reading a byte at a time gets them
// back one by one.
struct OneDescriptorMessage {
  char byte = 'f';
  iovec data{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr header{};

  OneDescriptorMessage() {
    header.msg_iov = &data;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof(control);
  }
  OneDescriptorMessage(const OneDescriptorMessage&) = delete;
  OneDescriptorMessage& operator=(const OneDescriptorMessage&) = delete;
};

}  // namespace

void send_descriptors(int channel, std::span<const int> descriptors) {
  for (const int fd : descriptors) {
    OneDescriptorMessage message;
    cmsghdr* rights = CMSG_FIRSTHDR(&message.header);
    rights->cmsg_level = SOL_SOCKET;
    rights->cmsg_type = SCM_RIGHTS;
    rights->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(rights), &fd, sizeof(int));
    if (::sendmsg(channel, &message.header, MSG_NOSIGNAL) != 1) throw std::runtime_error("cannot pass a descriptor");
  }
}

std::vector<UniqueFd> receive_descriptors(int channel, std::size_t count) {
  std::vector<UniqueFd> received;
  while (received.size() < count) {
    OneDescriptorMessage message;
    if (::recvmsg(channel, &message.header, MSG_CMSG_CLOEXEC) != 1) throw std::runtime_error("no descriptor came");
    const cmsghdr* rights = CMSG_FIRSTHDR(&message.header);
    if (rights == nullptr || rights->cmsg_type != SCM_RIGHTS || rights->cmsg_len != CMSG_LEN(sizeof(int))) {
      throw std::runtime_error("a message without a descriptor");
    }
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(rights), sizeof(int));
    received.emplace_back(fd);
  }
  return received;
}

}  // namespace otpd::test
