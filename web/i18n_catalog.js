// @ts-check
/**
 * Every string the page shows, in English and Simplified Chinese. Keys are grouped by the part
 * of the page they belong to; `{name}` is filled in by `t()`. Error texts are keyed by the
 * server's error codes (docs/protocol.md, "Errors over HTTP"), so a code the server sends is
 * shown in the reader's language.
 *
 * @module
 */

/** @typedef {"en" | "zh-CN"} Language */

/** @type {Record<string, string>} */
const en = {
  "app.name": "webChat",
  "app.noscript": "webChat needs JavaScript.",
  "lang.label": "Language",

  "login.account": "Account",
  "login.password": "Password",
  "login.submit": "Log in",
  "login.missing": "Enter your account and password.",
  "login.retryIn": "Try again in about {minutes} min.",

  "me.logout": "Log out",
  "conn.connecting": "connecting…",
  "conn.online": "online",
  "conn.waiting": "offline, retrying in {seconds} s",
  "conn.stopped": "disconnected",
  "conn.retryNow": "Retry now",

  "search.placeholder": "Search people and chats…",
  "search.label": "Search people and chats",
  "search.chats": "Chats",
  "search.people": "People",
  "search.nothing": "Nothing matches.",
  "search.searching": "Searching…",

  "tab.recent": "Recent",
  "tab.org": "Organisation",
  "tab.unread": "{count} unread",

  "recent.empty": "No conversations yet: find someone under Organisation or with the search.",
  "recent.remove": "Remove from recent",
  "recent.removeNamed": "Remove {name} from recent",
  "recent.you": "You: ",
  "org.noDept": "No department",
  "org.count": "{online}/{total} online",
  "org.empty": "Nobody in the directory yet.",

  "presence.online": "online",
  "presence.offline": "offline",
  "presence.unknown": "presence unknown while this page is offline",

  "who.you": "You",
  "who.youSuffix": " (you)",
  "chat.self": "Notes to self",
  "chat.selfOnly": "Only you can see these messages",
  "chat.group": "Group",
  "chat.back": "Back to the list",
  "chat.dept": "Department",
  "chat.email": "E-mail",
  "chat.phone": "Phone",
  "home.pick": "Pick a conversation on the left, or find someone under Organisation.",

  "history.older": "Load older messages",
  "history.loading": "Loading…",
  "history.start": "This is the beginning of the conversation.",
  "day.today": "Today",
  "day.yesterday": "Yesterday",

  "composer.label": "Message",
  "composer.placeholder": "Write a message…",
  "composer.send": "Send",
  "composer.emoji": "Insert an emoji",
  "composer.emojiPanel": "Emoji",
  "composer.empty": "Write something first.",
  "composer.tooLong": "A message holds at most {max} characters; this one has {count}.",
  "composer.count": "{count}/{max}",
  "sendKey.label": "Send key",
  "sendKey.enter": "Enter sends, Shift+Enter new line",
  "sendKey.ctrlEnter": "Ctrl+Enter sends, Enter new line",

  "pending.sending": "sending…",
  "pending.queued": "waiting for the connection…",
  "pending.waiting": "sending too fast: retrying in {seconds} s",
  "pending.failed": "not sent: {reason}",
  "pending.retry": "Retry",
  "pending.discard": "Discard",
  "message.sent": "sent",
  "message.image": "[image]",
  "message.file": "[file]",

  "notify.says": "{name} says:",
  "notify.flash": "✉ New message",

  "notice.directory": "Cannot load the directory: {reason}",
  "notice.history": "Cannot load the history: {reason}",
  "notice.older": "Cannot load older messages: {reason}",
  "notice.remove": "Cannot remove it from recent: {reason}",
  "notice.search": "Search failed: {reason}",
  "notice.refused": "The server refused this connection for your account.",
  "session.ended": "Your session has ended; log in again.",

  "error.bad_request": "The server did not accept this",
  "error.unauthorized": "You are not logged in",
  "error.bad_credentials": "Wrong account or password.",
  "error.forbidden": "You are not allowed to do this",
  "error.not_found": "Not found",
  "error.conflict": "This conflicts with what is already there",
  "error.too_large": "Too large",
  "error.rate_limited": "Too many attempts; wait a moment",
  "error.unavailable": "The server is busy or a store is down; try again later",
  "error.internal": "The server had a problem",
  "error.network": "Cannot reach the server; check your connection",
  "error.unknown": "Something went wrong",
};

/** @type {Record<string, string>} */
const zh = {
  "app.name": "webChat",
  "app.noscript": "webChat 需要启用 JavaScript。",
  "lang.label": "语言",

  "login.account": "账号",
  "login.password": "密码",
  "login.submit": "登录",
  "login.missing": "请输入账号和密码。",
  "login.retryIn": "请约 {minutes} 分钟后再试。",

  "me.logout": "退出",
  "conn.connecting": "正在连接…",
  "conn.online": "在线",
  "conn.waiting": "已断开，{seconds} 秒后重连",
  "conn.stopped": "已断开",
  "conn.retryNow": "立即重连",

  "search.placeholder": "搜索联系人和会话…",
  "search.label": "搜索联系人和会话",
  "search.chats": "会话",
  "search.people": "联系人",
  "search.nothing": "没有匹配的结果。",
  "search.searching": "正在搜索…",

  "tab.recent": "最近联系人",
  "tab.org": "组织架构",
  "tab.unread": "{count} 条未读",

  "recent.empty": "还没有会话：在组织架构中或通过搜索找人聊天。",
  "recent.remove": "从最近联系人中删除",
  "recent.removeNamed": "从最近联系人中删除 {name}",
  "recent.you": "我：",
  "org.noDept": "未分配部门",
  "org.count": "{online}/{total} 在线",
  "org.empty": "通讯录中还没有人。",

  "presence.online": "在线",
  "presence.offline": "离线",
  "presence.unknown": "本页离线，在线状态未知",

  "who.you": "我",
  "who.youSuffix": "（我）",
  "chat.self": "我的备忘",
  "chat.selfOnly": "只有你能看到这些消息",
  "chat.group": "群组",
  "chat.back": "返回列表",
  "chat.dept": "部门",
  "chat.email": "邮箱",
  "chat.phone": "电话",
  "home.pick": "从左侧选择一个会话，或在组织架构中找人。",

  "history.older": "加载更早的消息",
  "history.loading": "正在加载…",
  "history.start": "以上是全部消息。",
  "day.today": "今天",
  "day.yesterday": "昨天",

  "composer.label": "消息",
  "composer.placeholder": "输入消息…",
  "composer.send": "发送",
  "composer.emoji": "插入表情",
  "composer.emojiPanel": "表情",
  "composer.empty": "请先输入内容。",
  "composer.tooLong": "一条消息最多 {max} 个字符，当前 {count} 个。",
  "composer.count": "{count}/{max}",
  "sendKey.label": "发送键",
  "sendKey.enter": "按 Enter 发送，Shift+Enter 换行",
  "sendKey.ctrlEnter": "按 Ctrl+Enter 发送，Enter 换行",

  "pending.sending": "发送中…",
  "pending.queued": "等待连接…",
  "pending.waiting": "发送过快，{seconds} 秒后重试",
  "pending.failed": "发送失败：{reason}",
  "pending.retry": "重试",
  "pending.discard": "删除",
  "message.sent": "已发送",
  "message.image": "[图片消息]",
  "message.file": "[附件消息]",

  "notify.says": "{name}说：",
  "notify.flash": "【新消息】",

  "notice.directory": "无法加载通讯录：{reason}",
  "notice.history": "无法加载聊天记录：{reason}",
  "notice.older": "无法加载更早的消息：{reason}",
  "notice.remove": "无法从最近联系人中删除：{reason}",
  "notice.search": "搜索失败：{reason}",
  "notice.refused": "服务器拒绝了此账号的连接。",
  "session.ended": "会话已结束，请重新登录。",

  "error.bad_request": "服务器未接受该请求",
  "error.unauthorized": "未登录或会话已过期",
  "error.bad_credentials": "账号或密码错误。",
  "error.forbidden": "没有权限",
  "error.not_found": "未找到",
  "error.conflict": "与已有内容冲突",
  "error.too_large": "内容过大",
  "error.rate_limited": "操作过于频繁，请稍候",
  "error.unavailable": "服务器繁忙或存储不可用，请稍后再试",
  "error.internal": "服务器出错",
  "error.network": "无法连接服务器，请检查网络",
  "error.unknown": "出错了",
};

/** The catalogues, by language. */
export const CATALOG = /** @type {Record<Language, Record<string, string>>} */ ({
  en,
  "zh-CN": zh,
});

/** The languages offered, with their names written in themselves (for the switch). */
export const LANGUAGES = /** @type {{code: Language, name: string}[]} */ ([
  { code: "zh-CN", name: "中文" },
  { code: "en", name: "English" },
]);
