#pragma once
// BTT_ASSERT(condition, "message"): stops the process when OUR code breaks one of its own
// preconditions or invariants, in every build type (STYLE.md "Errors"). It is for caller
// bugs where carrying on could move money wrongly; never for input from clients, the chain
// or the database, which are refused with typed errors instead.
//
// On failure it writes "file:line: BTT_ASSERT(condition) failed: message" to stderr and
// calls std::abort().

namespace btt::detail {

[[noreturn]] void assert_failed(const char* file, int line, const char* condition,
                                const char* message) noexcept;

}  // namespace btt::detail

#define BTT_ASSERT(condition, message)                                             \
    do {                                                                           \
        if (!(condition)) [[unlikely]] {                                           \
            ::btt::detail::assert_failed(__FILE__, __LINE__, #condition, message); \
        }                                                                          \
    } while (false)
