# Unit tests of node/'s configuration and command line (no database, no network).
target_sources(unit_tests PRIVATE
    unit/node/config_test.cpp
    unit/node/command_line_test.cpp
)
target_link_libraries(unit_tests PRIVATE btt_node_config btt_tron_io)
# The shipped example must keep loading and must list every key at its default.
target_compile_definitions(unit_tests PRIVATE
    BTT_EXAMPLE_CONFIG="${PROJECT_SOURCE_DIR}/deploy/bttnode.example.toml")
# config_test reads the example with toml++ to check that it lists every key.
target_link_libraries(unit_tests PRIVATE tomlplusplus::tomlplusplus)
