# Unit tests of node/'s /metrics (issue 12): serve on a loopback port, scrape, parse.
target_sources(unit_tests PRIVATE unit/node/metrics_test.cpp)
target_link_libraries(unit_tests PRIVATE btt_node_metrics)
