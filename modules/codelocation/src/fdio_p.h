// Whole reads and writes on a descriptor (pipes and Unix sockets of the zygote and the run store).
#pragma once

#include <cerrno>
#include <cstddef>
#include <sys/socket.h>
#include <unistd.h>

namespace lifdag::codelocation::detail {

// Repeats `io(fd, pointer, left)` until `size` bytes moved; false at end of file or on an error
// (EINTR is retried).
template<typename Byte, typename Io> bool moveFull(int fd, Byte *p, size_t size, Io io)
{
    while (size > 0) {
        const ssize_t n = io(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= size_t(n);
    }
    return true;
}

inline bool readFull(int fd, void *buffer, size_t size)
{
    return moveFull(fd, static_cast<char *>(buffer), size,
                    [](int f, char *p, size_t n) { return ::read(f, p, n); });
}

// Sockets only (MSG_NOSIGNAL: a closed peer is an error, not SIGPIPE).
inline bool writeFull(int fd, const void *buffer, size_t size)
{
    return moveFull(fd, static_cast<const char *>(buffer), size,
                    [](int f, const char *p, size_t n) { return ::send(f, p, n, MSG_NOSIGNAL); });
}

} // namespace lifdag::codelocation::detail
