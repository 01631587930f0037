#pragma once
// A bounded map that forgets the least recently used entry first. Intake's duplicate
// answerer keeps where replayed amounts were committed and the batches rebuilt for them,
// so that a replay flood is answered from memory, in bounded memory (DESIGN §10).
// Not thread-safe: one thread owns it.
#include <cstddef>
#include <functional>
#include <list>
#include <unordered_map>
#include <utility>

namespace btt::node {

template <class Key, class Value, class Hash = std::hash<Key>>
class LruCache {
public:
    explicit LruCache(std::size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity) {}

    // The value, now the most recently used; nullptr when absent.
    [[nodiscard]] const Value* find(const Key& key) {
        const auto it = m_index.find(key);
        if (it == m_index.end())
            return nullptr;
        m_order.splice(m_order.begin(), m_order, it->second);
        return &it->second->second;
    }

    // Inserts or replaces; past the capacity the least recently used entry goes.
    void put(const Key& key, Value value) {
        const auto it = m_index.find(key);
        if (it != m_index.end()) {
            it->second->second = std::move(value);
            m_order.splice(m_order.begin(), m_order, it->second);
            return;
        }
        m_order.emplace_front(key, std::move(value));
        m_index.emplace(key, m_order.begin());
        if (m_order.size() > m_capacity) {
            m_index.erase(m_order.back().first);
            m_order.pop_back();
        }
    }

    [[nodiscard]] std::size_t size() const { return m_order.size(); }
    [[nodiscard]] std::size_t capacity() const { return m_capacity; }

private:
    using Entry = std::pair<Key, Value>;
    std::size_t m_capacity;
    std::list<Entry> m_order;  // most recently used first
    std::unordered_map<Key, typename std::list<Entry>::iterator, Hash> m_index;
};

}  // namespace btt::node
