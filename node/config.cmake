# bttnode's configuration file and command line (DESIGN §9): btt_node_config. Included from
# node/CMakeLists.txt; paths are relative to node/.
add_library(btt_node_config STATIC
    src/app/config_keys.cpp
    src/app/config_toml.cpp
    src/app/config_key_files.cpp
    src/app/config_redact.cpp
    src/app/command_line.cpp
)
add_library(btt::node_config ALIAS btt_node_config)
target_include_directories(btt_node_config PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
# Public: the headers expose Expected, TronAddress/PrivateKey and channels::Rules/Amount.
target_link_libraries(btt_node_config
    PUBLIC btt_options btt_base btt_tron btt_channels
    PRIVATE btt_tron_io tomlplusplus::tomlplusplus CLI11::CLI11 fmt::fmt)
# --version and NodeInfo.version: the CMake project version.
target_compile_definitions(btt_node_config PUBLIC BTT_VERSION="${PROJECT_VERSION}")
