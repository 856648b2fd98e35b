# common/: the contracts between the library and the reader (hashing, binary search, and
# the syntaxes both read), one implementation that both programs compile in. Each program
# builds these sources with its own flags (libleak/build.mk, tools/leakprof/build.mk).
COMMON_SRCS := $(wildcard common/*.c)
COMMON_HDRS := $(wildcard common/*.h)
