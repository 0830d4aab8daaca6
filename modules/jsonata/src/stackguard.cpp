#include "stackguard_p.h"

#include <pthread.h>

#include <algorithm>
#include <cstdint>

namespace lifdag::jsonata::detail {

namespace {
const char *computeFloor()
{
    pthread_attr_t attr;
    void *addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &addr, &size);
        pthread_attr_destroy(&attr);
    }
    if (!addr || size == 0) {
        // unknown: assume 1 MiB below the current frame
        const auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
        return reinterpret_cast<const char *>(here - (std::uintptr_t(1) << 20));
    }
#if defined(__SANITIZE_ADDRESS__)
    const size_t wanted = size_t(2) << 20;
#else
    const size_t wanted = size_t(512) << 10;
#endif
    const size_t margin = std::min(wanted, size / 3);
    return static_cast<const char *>(addr) + margin;
}
} // namespace

const char *stackFloor()
{
    __attribute__((tls_model("initial-exec"))) thread_local const char *floor = nullptr;
    if (!floor)
        floor = computeFloor();
    return floor;
}

} // namespace lifdag::jsonata::detail
