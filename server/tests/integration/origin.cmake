# The static origin over real TCP against the real server (included from this folder's CMakeLists).
circlecdn_add_test(http_origin_test http_origin_test.cpp)
target_link_libraries(http_origin_test PRIVATE circlecdn_app circlecdn_test_http)
