# Fails when a pure source file includes an I/O header (STYLE.md "Layout"): pure code sees
# no gRPC, pqxx, Asio, logging, streams, files, threads, RNG or clock; and when a part of
# node/ includes what its level must not (see the second half).
# Pure: channels/ and ledger/ (all), torrent/'s bencode, pay_message and credit, and the
# files directly in tron/src/, tron/include/btt/base/, tron/include/btt/tron/ (their
# subfolders io/, client/ and tron/trondev/ are I/O).
file(GLOB_RECURSE channel_files ${ROOT}/channels/*.h ${ROOT}/channels/*.cpp)
file(GLOB_RECURSE ledger_files ${ROOT}/ledger/*.h ${ROOT}/ledger/*.cpp)
# torrent/'s wire format and credit policy (btt_torrent_wire); the plugin and client are I/O.
set(torrent_files)
foreach(name bencode pay_message credit)
    foreach(f ${ROOT}/torrent/src/${name}.cpp ${ROOT}/torrent/include/btt/torrent/${name}.h)
        if(EXISTS ${f})  # a scratch tree (check_levels_planted.cmake) may lack them
            list(APPEND torrent_files ${f})
        endif()
    endforeach()
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

# node/'s levels (issue 25; STYLE.md "Layout"): only the store talks to PostgreSQL; the
# store sees neither the engine nor the API; the engine serves rpc and never sees it; rpc
# and the chain watcher never call each other. `forbid(AREA FILES... WORDS ...)` appends a
# line per offending include.
function(forbid area)
    cmake_parse_arguments(F "" "" "FILES;WORDS" ${ARGN})
    foreach(f ${F_FILES})
        file(STRINGS ${f} includes REGEX "^[ \t]*#[ \t]*include")
        foreach(line ${includes})
            foreach(word ${F_WORDS})
                if(line MATCHES "[<\"/]${word}")
                    string(APPEND failures "${f} (${area}): ${line}\n")
                endif()
            endforeach()
        endforeach()
    endforeach()
    set(failures "${failures}" PARENT_SCOPE)
endfunction()
set(node_areas store engine rpc app)
foreach(area ${node_areas})
    file(GLOB_RECURSE node_${area} ${ROOT}/node/src/${area}/*.h ${ROOT}/node/src/${area}/*.cpp
         ${ROOT}/node/include/btt/node/${area}/*.h)
endforeach()
file(GLOB node_top ${ROOT}/node/*.cpp ${ROOT}/node/src/*.cpp ${ROOT}/node/src/*.h
     ${ROOT}/node/include/btt/node/*.h)
file(GLOB_RECURSE tool_files ${ROOT}/tools/*.h ${ROOT}/tools/*.cpp ${ROOT}/torrent/*.h
     ${ROOT}/torrent/*.cpp)
forbid("only store/ talks to PostgreSQL"
       FILES ${node_engine} ${node_rpc} ${node_app} ${node_top} ${tool_files} WORDS "pqxx")
forbid("the store answers in its own types"
       FILES ${node_store} WORDS "btt/node/engine/" "btt/node/rpc/" "btt/node/app/" "grpcpp"
             "btt/channel/v1/")
forbid("the engine never sees the API"
       FILES ${node_engine} WORDS "btt/node/rpc/" "btt/node/app/" "grpcpp" "btt/channel/v1/")
forbid("rpc never calls the chain watcher or the daemon"
       FILES ${node_rpc} WORDS "btt/node/app/" "btt/node/engine/watcher.h")

if(failures)
    message(FATAL_ERROR "a level reaches past its place:\n${failures}")
endif()
message(STATUS "pure folders are clean and node/'s levels hold")
