"""cc_grpc_library: compiles .proto files with the system protoc and
grpc_cpp_plugin (Debian's), since rules_proto cannot be fetched offline."""

def cc_grpc_library(name, srcs, strip_prefix, deps = [], **kwargs):
    """Generates C++ messages and gRPC stubs for `srcs`.

    Args:
      name: the cc_library to define.
      srcs: .proto files of this package.
      strip_prefix: path of the proto root inside this package ("" for the
        package itself); includes are relative to it, e.g. "aix/v1/x.pb.h".
      deps: other cc_grpc_library targets the protos import.
      **kwargs: passed to the cc_library.
    """
    outs = []
    for src in srcs:
        base = src[:-len(".proto")]
        if strip_prefix:
            base = base[len(strip_prefix) + 1:]
        outs += [base + ext for ext in [".pb.h", ".pb.cc", ".grpc.pb.h", ".grpc.pb.cc"]]
    root = native.package_name() + ("/" + strip_prefix if strip_prefix else "")
    gen_root = "$(GENDIR)/" + native.package_name()
    native.genrule(
        name = name + "_gen",
        srcs = srcs,
        outs = outs,
        cmd = ("protoc --proto_path={root} --cpp_out={gen} --grpc_out={gen} " +
               "--plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin) $(SRCS)").format(
            root = root,
            gen = gen_root,
        ),
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        # Generated code is not ours to fix; keep our -Wextra builds quiet.
        copts = ["-Wno-unused-parameter"],
        includes = [strip_prefix] if strip_prefix else ["."],
        deps = deps + ["//third_party/system:grpc"],
        **kwargs
    )
