# common/: the small library every program links (mk/rules.mk adds it to each link): option
# tables, the histogram and its one JSON form, JSON files, ticks to ns, the CSV reader, the
# metadata.json reader.
ARCHIVES += libsmclat-common
libsmclat-common_SRCS := common/options.c common/hist.c common/hist_json.c common/json_file.c \
    common/csv.c common/metadata.c
CPPFLAGS += -Icommon

UNIT_TESTS += test_common
test_common_SRCS := tests/test_common.c
test_common_LDLIBS := -lcmocka $(call pkg_libs,jansson)
