// Ends runaway recursion (parser, evaluator) with an error before the thread's stack runs out.
#pragma once

#include <cstddef>

namespace lifdag::jsonata::detail {

// The lowest address the current thread may recurse to, leaving a safety margin.
const char *stackFloor();

inline bool stackExhausted()
{
    return static_cast<const char *>(__builtin_frame_address(0)) < stackFloor();
}

} // namespace lifdag::jsonata::detail
