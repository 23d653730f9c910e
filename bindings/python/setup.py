"""Build the libfix Python package: the C extension libfix._libfix, with the libfix C core
compiled into it, and the typed facade libfix/__init__.py.

Builds from a libfix source tree (the core is at ../../libfix):
    pip install --no-build-isolation ./bindings/python
"""
import glob
import os
import re
import shlex
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext as _build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
HEADER = os.path.join(ROOT, "include", "libfix.h")

if not os.path.isfile(HEADER):
    sys.exit("setup.py: %s not found; build from a libfix source tree" % HEADER)


def rel(path):
    """setup() wants paths relative to this directory."""
    return os.path.relpath(path, HERE)


def version():
    with open(HEADER, encoding="utf-8") as f:
        m = re.search(r'#define\s+LIBFIX_VERSION_STRING\s+"([^"]+)"', f.read())
    if not m:
        sys.exit("setup.py: LIBFIX_VERSION_STRING not found in " + HEADER)
    return m.group(1)


def pkg_config(name):
    """(include dirs, library dirs, libraries) of a pkg-config package, or None."""
    try:
        out = subprocess.run(["pkg-config", "--cflags", "--libs", name], check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             universal_newlines=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    flags = shlex.split(out)
    return ([f[2:] for f in flags if f.startswith("-I")],
            [f[2:] for f in flags if f.startswith("-L")],
            [f[2:] for f in flags if f.startswith("-l")])


# The core's file list grows: take whatever is there, in a stable order.
core_sources = sorted(glob.glob(os.path.join(ROOT, "libfix", "*.c")) +
                      glob.glob(os.path.join(ROOT, "libfix", "tables", "*.c")))
if not core_sources:
    sys.exit("setup.py: no C sources under %s" % os.path.join(ROOT, "libfix"))

# Rebuild when a header changes too (distutils compares sources and depends with the module).
core_headers = sorted(glob.glob(os.path.join(ROOT, "include", "*.h")) +
                      glob.glob(os.path.join(ROOT, "libfix", "*.h")) +
                      glob.glob(os.path.join(ROOT, "libfix", "tables", "*.h")))

include_dirs = [os.path.join(ROOT, "include"), os.path.join(ROOT, "libfix")]
library_dirs = []
libraries = []
uchardet = pkg_config("uchardet")
if uchardet:
    include_dirs += uchardet[0]
    library_dirs += uchardet[1]
    libraries += uchardet[2]
else:
    include_dirs.append("/usr/include/uchardet")
    libraries.append("uchardet")
if not sys.platform.startswith("linux"):
    libraries.append("iconv")  # glibc and musl have iconv in libc; others use GNU libiconv
libraries.append("m")


class build_ext(_build_ext):
    """Put the objects of sources outside this directory under build_temp.

    distutils names an object after its source path, so ../../libfix/api.c would be compiled
    to build_temp/../../libfix/api.o, which is this package's own directory. Name objects
    after their path in the source tree instead: build_temp/libfix/api.o."""

    def build_extensions(self):
        original = self.compiler.object_filenames

        def object_filenames(source_filenames, strip_dir=0, output_dir=""):
            inside = [os.path.relpath(os.path.abspath(s), ROOT) for s in source_filenames]
            return original(inside, strip_dir, output_dir)

        self.compiler.object_filenames = object_filenames
        _build_ext.build_extensions(self)


extension = Extension(
    "libfix._libfix",
    sources=[rel(os.path.join(HERE, "src", "_libfix.c"))] + [rel(s) for s in core_sources],
    depends=[rel(h) for h in core_headers],
    include_dirs=include_dirs,
    library_dirs=library_dirs,
    libraries=libraries,
    # Like the CMake build: only PyInit__libfix and the public libfix_* API are exported.
    extra_compile_args=["-Wall", "-Wextra", "-fvisibility=hidden"],
    extra_link_args=["-pthread"],
)

setup(
    name="libfix",
    version=version(),
    description="Repair garbled (mojibake) Chinese text",
    long_description=open(os.path.join(HERE, "README.md"), encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="See the libfix source tree",
    python_requires=">=3.8",
    packages=["libfix"],
    package_data={"libfix": ["py.typed", "*.pyi"]},
    ext_modules=[extension],
    cmdclass={"build_ext": build_ext},
    zip_safe=False,
    classifiers=[
        "Programming Language :: C",
        "Programming Language :: Python :: 3",
        "Topic :: Text Processing :: Linguistic",
        "Natural Language :: Chinese (Simplified)",
        "Typing :: Typed",
    ],
)
