#include <btt/base/assert.h>

#include <cstdio>
#include <cstdlib>

namespace btt::detail {

void assert_failed(const char* file, int line, const char* condition,
                   const char* message) noexcept {
    // stderr is unbuffered: the line is out before abort() ends the process.
    std::fprintf(stderr, "%s:%d: BTT_ASSERT(%s) failed: %s\n", file, line, condition, message);
    std::abort();
}

}  // namespace btt::detail
