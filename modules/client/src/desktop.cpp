#include "lifdag/client/desktop.h"

#include "client_log_p.h"

#include <QClipboard>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QSettings>
#include <QWindow>

namespace lifdag::client {

namespace {

QString g_settingsFile;

std::unique_ptr<QSettings> openSettings()
{
    return g_settingsFile.isEmpty() ? std::make_unique<QSettings>()
                                    : std::make_unique<QSettings>(g_settingsFile, QSettings::IniFormat);
}

// The freedesktop portal's appearance preference: 1 dark, 2 light, 0 none; -1 when unknown.
int portalColorScheme()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return -1;
    QDBusMessage call = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.portal.Desktop"), QStringLiteral("/org/freedesktop/portal/desktop"),
        QStringLiteral("org.freedesktop.portal.Settings"), QStringLiteral("Read"));
    call << QStringLiteral("org.freedesktop.appearance") << QStringLiteral("color-scheme");
    const QDBusMessage reply = bus.call(call, QDBus::Block, 300);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
        return -1;
    QVariant v = reply.arguments().constFirst();
    while (v.canConvert<QDBusVariant>())
        v = v.value<QDBusVariant>().variant();
    bool ok = false;
    const uint scheme = v.toUInt(&ok);
    return ok ? int(scheme) : -1;
}

} // namespace

void Desktop::setSettingsFile(const QString &path)
{
    g_settingsFile = path;
}

Desktop::Desktop(QObject *parent)
    : QObject(parent)
    , m_settings(openSettings())
    , m_systemPalette(QGuiApplication::palette())
{
    m_mode = m_settings->value(QStringLiteral("theme/mode"), QStringLiteral("system")).toString();
    if (qGuiApp)
        qGuiApp->installEventFilter(this);
    applyTheme();
}

Desktop::~Desktop()
{
    if (qGuiApp)
        qGuiApp->removeEventFilter(this);
}

bool Desktop::systemPrefersDark()
{
    const QString forced = qEnvironmentVariable("LIFDAG_DESKTOP_THEME").toLower();
    if (forced == QLatin1StringView("dark"))
        return true;
    if (forced == QLatin1StringView("light"))
        return false;
    const int scheme = portalColorScheme();
    if (scheme == 1)
        return true;
    if (scheme == 2)
        return false;
    const QColor window = QGuiApplication::palette().color(QPalette::Window);
    return window.lightness() < 128;
}

QPalette Desktop::darkPalette()
{
    QPalette p;
    const QColor window(0x26, 0x28, 0x2c);
    const QColor base(0x1d, 0x1f, 0x22);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x2b, 0x2e, 0x33));
    p.setColor(QPalette::ToolTipBase, QColor(0x33, 0x36, 0x3b));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x32, 0x35, 0x3a));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4e));
    p.setColor(QPalette::Midlight, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::Mid, QColor(0x2e, 0x30, 0x34));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
    p.setColor(QPalette::Disabled, QPalette::Text, disabled);
    p.setColor(QPalette::Disabled, QPalette::WindowText, disabled);
    p.setColor(QPalette::Disabled, QPalette::ButtonText, disabled);
    return p;
}

void Desktop::applyTheme()
{
    const bool dark = m_mode == QLatin1StringView("dark") ? true
        : m_mode == QLatin1StringView("light")            ? false
                                                          : systemPrefersDark();
    m_applying = true;
    if (qGuiApp) {
        if (dark)
            QGuiApplication::setPalette(darkPalette());
        else if (m_systemPalette.color(QPalette::Window).lightness() >= 128)
            QGuiApplication::setPalette(m_systemPalette);
        else
            QGuiApplication::setPalette(QPalette(QColor(0xef, 0xef, 0xef)));
    }
    m_applying = false;
    if (dark != m_dark) {
        m_dark = dark;
        qCDebug(lcClient, "theme: %s", dark ? "dark" : "light");
    }
    Q_EMIT themeChanged();
}

bool Desktop::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == qGuiApp && event->type() == QEvent::ThemeChange && !m_applying
        && m_mode == QLatin1StringView("system"))
        QMetaObject::invokeMethod(this, &Desktop::applyTheme, Qt::QueuedConnection);
    return QObject::eventFilter(watched, event);
}

void Desktop::setThemeMode(const QString &mode)
{
    const QString m = mode == QLatin1StringView("dark") || mode == QLatin1StringView("light")
        ? mode
        : QStringLiteral("system");
    if (m == m_mode)
        return;
    m_mode = m;
    m_settings->setValue(QStringLiteral("theme/mode"), m_mode);
    applyTheme();
}

QColor Desktop::success() const
{
    return m_dark ? QColor(0x4c, 0xc3, 0x7a) : QColor(0x1e, 0x8e, 0x3e);
}
QColor Desktop::failure() const
{
    return m_dark ? QColor(0xf2, 0x6b, 0x6b) : QColor(0xc6, 0x28, 0x28);
}
QColor Desktop::running() const
{
    return m_dark ? QColor(0x5a, 0xa9, 0xff) : QColor(0x1a, 0x6f, 0xd6);
}
QColor Desktop::queued() const
{
    return m_dark ? QColor(0xc9, 0xa2, 0x4a) : QColor(0x9a, 0x6b, 0x00);
}
QColor Desktop::canceled() const
{
    return m_dark ? QColor(0xa0, 0xa4, 0xab) : QColor(0x6b, 0x70, 0x78);
}
QColor Desktop::muted() const
{
    return m_dark ? QColor(0x9a, 0x9e, 0xa6) : QColor(0x60, 0x66, 0x70);
}
QColor Desktop::codeBackground() const
{
    return m_dark ? QColor(0x18, 0x1a, 0x1d) : QColor(0xf6, 0xf7, 0xf9);
}
QColor Desktop::added() const
{
    return m_dark ? QColor(0x1f, 0x4d, 0x2e) : QColor(0xd9, 0xf5, 0xdf);
}
QColor Desktop::removed() const
{
    return m_dark ? QColor(0x5c, 0x22, 0x25) : QColor(0xfb, 0xdd, 0xdd);
}

QString Desktop::monospaceFamily() const
{
    return QFontDatabase::systemFont(QFontDatabase::FixedFont).family();
}

QColor Desktop::statusColor(const QString &status) const
{
    if (status == QLatin1StringView("SUCCESS"))
        return success();
    if (status == QLatin1StringView("FAILURE"))
        return failure();
    if (status == QLatin1StringView("STARTED") || status == QLatin1StringView("STARTING")
        || status == QLatin1StringView("RUNNING"))
        return running();
    if (status == QLatin1StringView("QUEUED") || status == QLatin1StringView("NOT_STARTED")
        || status == QLatin1StringView("RETRYING"))
        return queued();
    return canceled();
}

void Desktop::copyText(const QString &text)
{
    if (QClipboard *c = QGuiApplication::clipboard())
        c->setText(text);
}

QString Desktop::clipboardText() const
{
    QClipboard *c = QGuiApplication::clipboard();
    return c ? c->text() : QString();
}

QVariant Desktop::setting(const QString &key, const QVariant &fallback) const
{
    return m_settings->value(key, fallback);
}

void Desktop::setSetting(const QString &key, const QVariant &value)
{
    m_settings->setValue(key, value);
}

void Desktop::restoreWindow(QWindow *window, const QString &name)
{
    if (!window)
        return;
    const QString key = QStringLiteral("window/") + name;
    const QRect geometry = m_settings->value(key + QStringLiteral("/geometry")).toRect();
    if (geometry.isValid() && geometry.width() >= 400 && geometry.height() >= 300)
        window->setGeometry(geometry);
    const QString state = m_settings->value(key + QStringLiteral("/state")).toString();
    if (state == QLatin1StringView("maximized"))
        window->setVisibility(QWindow::Maximized);
    else if (state == QLatin1StringView("fullscreen"))
        window->setVisibility(QWindow::FullScreen);
}

void Desktop::saveWindow(QWindow *window, const QString &name)
{
    if (!window)
        return;
    const QString key = QStringLiteral("window/") + name;
    const QWindow::Visibility v = window->visibility();
    m_settings->setValue(key + QStringLiteral("/state"),
                         v == QWindow::Maximized        ? QStringLiteral("maximized")
                             : v == QWindow::FullScreen ? QStringLiteral("fullscreen")
                                                        : QStringLiteral("normal"));
    if (v != QWindow::Maximized && v != QWindow::FullScreen)
        m_settings->setValue(key + QStringLiteral("/geometry"), window->geometry());
    m_settings->sync();
}

} // namespace lifdag::client
