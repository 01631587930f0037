# Fails when a pure source file includes an I/O header (STYLE.md "Layout"): pure code sees
# no gRPC, pqxx, Asio, logging, streams, files, threads, RNG or clock.
# Pure: channels/ and ledger/ (all), torrent/'s bencode, pay_message and credit, and the
# files directly in tron/src/, tron/include/btt/base/, tron/include/btt/tron/ (their
# subfolders io/, client/ and tron/trondev/ are I/O).
file(GLOB_RECURSE channel_files ${ROOT}/channels/*.h ${ROOT}/channels/*.cpp)
file(GLOB_RECURSE ledger_files ${ROOT}/ledger/*.h ${ROOT}/ledger/*.cpp)
# torrent/'s wire format and credit policy (btt_torrent_wire); the plugin and client are I/O.
set(torrent_files)
foreach(name bencode pay_message credit)
    list(APPEND torrent_files ${ROOT}/torrent/src/${name}.cpp
         ${ROOT}/torrent/include/btt/torrent/${name}.h)
endforeach()
file(GLOB tron_files ${ROOT}/tron/src/*.cpp ${ROOT}/tron/include/btt/base/*.h
     ${ROOT}/tron/include/btt/tron/*.h)
set(forbidden "grpc" "grpcpp" "pqxx" "boost/asio" "spdlog" "iostream" "fstream" "filesystem"
    "thread" "random" "prometheus" "sys/" "unistd.h")
set(failures "")
foreach(f ${channel_files} ${ledger_files} ${torrent_files} ${tron_files})
    file(STRINGS ${f} includes REGEX "^[ \t]*#[ \t]*include")
    set(extra "")
    if(f MATCHES "/channels/" OR f MATCHES "/ledger/")
        set(extra "google/protobuf" "\\.pb\\.h")
    endif()
    foreach(line ${includes})
        foreach(word ${forbidden} ${extra})
            if(line MATCHES "[<\"/]${word}")
                string(APPEND failures "${f}: ${line}\n")
            endif()
        endforeach()
    endforeach()
    file(STRINGS ${f} clock_calls REGEX "(system_clock|steady_clock)::now|std::rand|getenv")
    foreach(line ${clock_calls})
        string(APPEND failures "${f}: ${line}\n")
    endforeach()
endforeach()
if(failures)
    message(FATAL_ERROR "pure code reaches for I/O:\n${failures}")
endif()
message(STATUS "pure folders are clean")
