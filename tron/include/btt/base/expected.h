#pragma once
// A value or the reason there is none, until C++23's std::expected (STYLE.md "Errors").
// Anything that can refuse returns one of these and is [[nodiscard]]; no out-params,
// no bool + string pairs. Pure code never throws in normal operation.

#include <type_traits>
#include <utility>
#include <variant>

namespace btt {

template <typename E>
struct Unexpected {
    E error;
};

template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename E>
[[nodiscard]] constexpr Unexpected<std::decay_t<E>> unexpected(E&& error) {
    return Unexpected<std::decay_t<E>>{std::forward<E>(error)};
}

template <typename T, typename E>
class [[nodiscard]] Expected {
public:
    using value_type = T;
    using error_type = E;

    Expected(const T& value) : m_data(std::in_place_index<0>, value) {}
    Expected(T&& value) : m_data(std::in_place_index<0>, std::move(value)) {}
    template <typename G>
    Expected(Unexpected<G> u) : m_data(std::in_place_index<1>, std::move(u.error)) {}

    [[nodiscard]] bool has_value() const noexcept { return m_data.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    // Precondition for these: has_value() (resp. !has_value()). Violations are our bugs,
    // caught by std::get's exception in all builds rather than undefined behaviour.
    T& value() & { return std::get<0>(m_data); }
    const T& value() const& { return std::get<0>(m_data); }
    T&& value() && { return std::get<0>(std::move(m_data)); }
    const E& error() const& { return std::get<1>(m_data); }
    E&& error() && { return std::get<1>(std::move(m_data)); }

    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, E> m_data;
};

// For operations that return nothing on success.
template <typename E>
class [[nodiscard]] Expected<void, E> {
public:
    Expected() = default;
    template <typename G>
    Expected(Unexpected<G> u) : m_error(std::move(u.error)), m_has_error(true) {}

    [[nodiscard]] bool has_value() const noexcept { return !m_has_error; }
    explicit operator bool() const noexcept { return has_value(); }
    const E& error() const& { return m_error; }

private:
    E m_error{};
    bool m_has_error = false;
};

}  // namespace btt
