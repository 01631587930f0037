# The levels check must fail when a rule is broken, not only pass on a clean tree: plant
# one offending include per rule in a scratch tree and expect check_levels.cmake to refuse
# each, naming the file. Run with -DCHECK=<check_levels.cmake> -DWORK=<scratch folder>.
set(plants
    "node/src/rpc/planted.cpp|#include <pqxx/pqxx>"
    "node/src/app/planted.cpp|#include <pqxx/transaction>"
    "tools/bttctl/src/planted.cpp|#include <pqxx/pqxx>"
    "node/src/store/planted.cpp|#include <btt/channel/v1/channel.pb.h>"
    "node/include/btt/node/engine/planted.h|#include <btt/node/rpc/auth.h>"
    "node/src/rpc/planted.cpp|#include <btt/node/engine/watcher.h>"
    "channels/src/planted.cpp|#include <thread>")
foreach(plant ${plants})
    string(REPLACE "|" ";" parts "${plant}")
    list(GET parts 0 path)
    list(GET parts 1 line)
    file(REMOVE_RECURSE ${WORK})
    file(WRITE ${WORK}/${path} "${line}\n")
    execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${WORK} -P ${CHECK}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(rc EQUAL 0)
        message(FATAL_ERROR "the levels check passed with '${line}' planted in ${path}")
    endif()
    string(FIND "${err}" "planted" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "the levels check failed without naming ${path}:\n${err}")
    endif()
    message(STATUS "refused as it must: ${line} in ${path}")
endforeach()
file(REMOVE_RECURSE ${WORK})
