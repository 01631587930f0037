#pragma once
// Runs fn(i) for i in [0, n) on `threads` threads, in chunks taken from a shared counter
// (so uneven costs still spread). Returns when all are done. fn must be thread-safe.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace btt::load {

template <typename Fn>
void parallel_for(std::size_t n, unsigned threads, std::size_t chunk, Fn&& fn) {
    if (n == 0)
        return;
    chunk = std::max<std::size_t>(1, chunk);
    threads = static_cast<unsigned>(std::clamp<std::size_t>(threads, 1, (n + chunk - 1) / chunk));
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        while (true) {
            const auto begin = next.fetch_add(chunk, std::memory_order_relaxed);
            if (begin >= n)
                return;
            const auto end = std::min(n, begin + chunk);
            for (auto i = begin; i < end; ++i)
                fn(i);
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
}

[[nodiscard]] inline unsigned core_count() {
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace btt::load
