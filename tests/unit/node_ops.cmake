# Unit tests of the operators' surface (issue 12): bearer-token roles and JSON log lines.
target_sources(unit_tests PRIVATE unit/node/auth_test.cpp unit/node/logging_test.cpp
    unit/node/events_test.cpp unit/node/peer_limits_test.cpp
    unit/node/fair_queue_test.cpp unit/node/lru_cache_test.cpp)
target_link_libraries(unit_tests PRIVATE btt_node_rpc btt_node nlohmann_json::nlohmann_json)
