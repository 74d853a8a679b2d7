# Cross-compiling ksurf for aarch64 on a Debian amd64 host: the compiler from
# crossbuild-essential-arm64, the libraries from Debian's multiarch :arm64 -dev
# packages (installed beside the host's in /usr/lib/aarch64-linux-gnu).
# Used by `KSURF_ARCH=arm64 scripts/setup build`.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Multiarch: CMake then looks in lib/aarch64-linux-gnu (fmt's package config
# lives there), never in the host's lib/x86_64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# pkg-config must see only the :arm64 .pc files (and the arch-independent
# ones); the host's would link amd64 libraries.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# Tests built for the host's tiers cannot run here; the aarch64 binary is
# tested in the arm64 kernel lab.
set(CMAKE_CROSSCOMPILING_EMULATOR "")
