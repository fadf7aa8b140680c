{
  "targets": [
    {
      "target_name": "pktio_uring",
      "sources": [
        "native/binding.c",
        "native/src/ring.c",
        "native/src/op_rw.c",
        "native/src/op_file.c",
        "native/src/op_path.c",
        "native/src/op_cancel.c",
        "native/src/direct.c"
      ],
      "include_dirs": ["native/include"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "conditions": [
        ["OS!='linux'", { "type": "none", "sources": [] }]
      ],
      "configurations": {
        "Debug": {
          "cflags": ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined"],
          "ldflags": ["-fsanitize=address,undefined"]
        },
        "Release": {
          "cflags": ["-O2"]
        }
      }
    }
    ,
    {
      "target_name": "deny_uring",
      "type": "executable",
      "sources": ["native/tools/deny_uring.c"],
      "conditions": [["OS!='linux'", { "type": "none", "sources": [] }]]
    }
  ]
}
