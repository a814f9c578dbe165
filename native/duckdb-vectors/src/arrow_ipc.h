// readArrowIpc: the layout of an Arrow IPC file or stream, parsed natively (arrow_ipc.cc);
// encodeTextColumns: its text columns dictionary-encoded, the columns on threads (arrow_ipc_texts.cc).
#pragma once

#include <napi.h>

namespace arrow_ipc {

Napi::Value ReadArrowIpc(const Napi::CallbackInfo& info);
Napi::Value EncodeTextColumns(const Napi::CallbackInfo& info);

}  // namespace arrow_ipc
