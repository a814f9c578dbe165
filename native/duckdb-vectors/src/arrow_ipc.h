// readArrowIpc: the layout of an Arrow IPC file or stream, parsed natively (arrow_ipc.cc).
#pragma once

#include <napi.h>

namespace arrow_ipc {

Napi::Value ReadArrowIpc(const Napi::CallbackInfo& info);

}  // namespace arrow_ipc
