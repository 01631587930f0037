#pragma once
// A few idle connections for the operators' and auditors' reads (ops_reads.cpp), which run
// on gRPC's threads, any number at once: a call takes a connection for itself, hands it
// back, and the next call skips the connect (a TCP and auth round trip per call otherwise).
//
// A pooled connection may have died while idle (the server restarted): its first use then
// fails with broken_connection although the database is up. The reads are idempotent, so
// such a call runs once more on a fresh connection; a fresh one failing is the answer.
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

namespace btt::node {

class ConnectionPool {
public:
    explicit ConnectionPool(std::string url, std::size_t max_idle = 4)
        : m_url(std::move(url)), m_max_idle(max_idle) {}

    // Runs body(pqxx::connection&) on a connection of its own; throws what body throws.
    template <typename Body>
    auto run(Body&& body) {
        for (int attempt = 0;; ++attempt) {
            auto [connection, reused] = take();
            try {
                auto result = body(*connection);
                give_back(std::move(connection));
                return result;
            } catch (const pqxx::broken_connection&) {
                if (reused && attempt == 0)
                    continue;  // died while idle: once more on a fresh connection
                throw;
            } catch (...) {
                // A failed read leaves the connection usable (its transaction is gone).
                give_back(std::move(connection));
                throw;
            }
        }
    }

private:
    std::pair<std::unique_ptr<pqxx::connection>, bool> take() {
        {
            std::lock_guard lock(m_mutex);
            if (!m_idle.empty()) {
                auto c = std::move(m_idle.back());
                m_idle.pop_back();
                return {std::move(c), true};
            }
        }
        return {std::make_unique<pqxx::connection>(m_url), false};
    }

    void give_back(std::unique_ptr<pqxx::connection> c) {
        std::lock_guard lock(m_mutex);
        if (m_idle.size() < m_max_idle && c->is_open())
            m_idle.push_back(std::move(c));
    }

    const std::string m_url;
    const std::size_t m_max_idle;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<pqxx::connection>> m_idle;
};

}  // namespace btt::node
