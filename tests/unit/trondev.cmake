# trondev's chain rules (no network: the chain object itself).
target_sources(unit_tests PRIVATE unit/trondev/chain_test.cpp)
target_link_libraries(unit_tests PRIVATE btt_trondev)
