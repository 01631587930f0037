# Google Benchmark programs of tron/ (run by hand; speed is never a test).
add_executable(bench_tron bench/tron_bench.cpp)
target_link_libraries(bench_tron PRIVATE btt_options btt_tron PkgConfig::SECP256K1 benchmark::benchmark)
