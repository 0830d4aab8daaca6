// Private: notification plumbing behind Storage::notify()/subscribe().
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/storage/storage.h>

#include <functional>
#include <future>
#include <memory>

namespace lifdag::storage::detail {

void notifyLocal(const QString &key);
std::shared_ptr<void> subscribeLocal(const QString &key, std::function<void()> callback);
Result<std::shared_ptr<void>> subscribePostgres(const Settings &settings, const QString &channel,
                                                std::function<void()> callback);

} // namespace lifdag::storage::detail
