/**
 * A database of the PHP webChat, built with its own DDL (reference §4.4, as
 * `Tableddlget.php` and the README create it) and rows as it wrote them: md5-based passwords,
 * text messages in its display encoding (`[\br]`, HTML entities, smiley codes), an image as
 * its HTML snippet, two group chats, a yearly broadcast table (subjects and content escaped
 * twice, as the original stored them, recipients as its `-a-b-`), the MERGE tables over them,
 * and the queue daemon's status row; and the original's Redis keys of one of the groups.
 *
 * @module
 */
import type { MysqlPool } from "../../store/mysql_pool.ts";
import { legacyPasswordHash } from "../../store/password.ts";

/** The passwords the fixture's accounts have (md5-based in the table). */
export const PHP_PASSWORDS = { cuihb: "old-pass-1", xieyx: "xieyx-secret!" };

/** Unix time of day `day` of a month of 2016, at noon local time (the tables are local months). */
export function phpTime(month: number, day: number, minute = 0): number {
  return Math.floor(new Date(2016, month - 1, day, 12, minute).getTime() / 1000);
}

const MESSAGE_DDL = (name: string) =>
  `CREATE TABLE if not exists \`${name}\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`chatid\` char(32) NOT NULL COMMENT '用户间聊天的唯一标示（根据该标识可以查出属于此id的用户们），用来查询历史记录',
  \`fromuser\` varchar(30) NOT NULL,
  \`message\` varchar(500) NOT NULL,
  \`time\` int(11) NOT NULL,
  \`filemd5\` char(32) NOT NULL,
  \`type\` tinyint(1) NOT NULL DEFAULT '0' COMMENT '0:聊天 1：图片 2：附件',
  PRIMARY KEY (\`id\`), KEY \`chatidindex\` (\`chatid\`), KEY \`timeindex\` (\`time\`), KEY \`md5index\` (\`filemd5\`)
) ENGINE=MyISAM CHARSET=utf8`;

/** The original's `webchat_user` with its accounts. */
export async function createPhpUsers(pool: MysqlPool): Promise<void> {
  await pool.query(`CREATE TABLE \`webchat_user\` (
  \`uid\` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT '用户id',
  \`accountid\` varchar(40) NOT NULL COMMENT '域账户',
  \`pwd\` varchar(40) NOT NULL,
  \`username\` varchar(40) NOT NULL COMMENT '姓名',
  \`dept\` varchar(40) NOT NULL COMMENT '部门',
  \`tel\` varchar(40) NOT NULL COMMENT '分机号',
  \`mobile\` varchar(100) NOT NULL COMMENT '移动电话（用,分隔）',
  \`email\` varchar(255) NOT NULL COMMENT '邮箱',
  \`deptDetail\` varchar(128) NOT NULL DEFAULT '' COMMENT '详细部门从一级到n级',
  \`updateTime\` int(11) NOT NULL DEFAULT '0',
  PRIMARY KEY (\`uid\`), UNIQUE KEY \`accoutiduq\` (\`accountid\`)
) ENGINE=MyISAM AUTO_INCREMENT=10727 DEFAULT CHARSET=utf8`);
  await pool.query(
    `INSERT INTO webchat_user (accountid, pwd, username, dept, tel, mobile, email, deptDetail)
     VALUES ?`,
    [[
      [
        "cuihb",
        legacyPasswordHash(PHP_PASSWORDS.cuihb),
        "崔海波",
        "研发部",
        "8001",
        "",
        "cuihb@x.cn",
        "公司,研发部",
      ],
      [
        "xieyx",
        legacyPasswordHash(PHP_PASSWORDS.xieyx),
        "谢雁鑫",
        "前端组",
        "8002",
        "",
        "",
        "公司,研发部,前端组",
      ],
      ["nopass", "", "无密码", "", "", "", "", ""],
      ["bad-name", "", "Bad Name", "", "", "", "", ""],
    ]],
  );
}

/** One month of the original's messages, as rows [chatid, fromuser, message, time, type]. */
export async function createPhpMonth(
  pool: MysqlPool,
  yyyymm: string,
  rows: [string, string, string, number, number][],
): Promise<void> {
  const name = `webchat_message${yyyymm}`;
  await pool.query(MESSAGE_DDL(name));
  if (rows.length === 0) return;
  await pool.query(
    `INSERT INTO \`${name}\` (chatid, fromuser, message, time, filemd5, type) VALUES ?`,
    [rows.map(([chatid, from, message, time, type]) => [chatid, from, message, time, "", type])],
  );
}

/** January and February 2016 of the original, in that order of time. */
export const JANUARY: [string, string, string, number, number][] = [
  ["cuihb--xieyx", "cuihb", "你好[\\br]第二行", phpTime(1, 10, 0), 0],
  ["cuihb--xieyx", "xieyx", "&lt;b&gt;not bold&lt;/b&gt; &amp; [\\face3]", phpTime(1, 10, 1), 0],
  ["cuihb-1454400000000", "cuihb", "group hello", phpTime(1, 11), 0],
  ["cuihb--xieyx", "cuihb", '<img src="./upload/201601/11/a.png" />', phpTime(1, 11, 5), 1],
];
export const FEBRUARY: [string, string, string, number, number][] = [
  // Written the other way round (a client bug): the same chat.
  ["xieyx--cuihb", "xieyx", "february&nbsp;one", phpTime(2, 3), 0],
  ["cuihb--xieyx", "cuihb", "february two", phpTime(2, 4), 0],
];

/** Group messages of January beside {@link JANUARY}'s (the database of the first test only). */
export const GROUP_JANUARY: [string, string, string, number, number][] = [
  ["cuihb-1454400000000", "xieyx", "group reply", phpTime(1, 11, 2), 0],
  ["xieyx-1452500000000", "xieyx", "second group", phpTime(1, 12, 1), 0],
  ["xieyx-1452500000000", "cuihb", "second reply", phpTime(1, 12, 2), 0],
];

/** The original's Redis hashes of the group `cuihb-1454400000000` (its keys have no `-`). */
export const PHP_GROUP_KEYS = {
  info: {
    key: "cuihb1454400000000:group:info",
    value: {
      master: "cuihb",
      uuid: "1454400000000",
      title: "研发群",
      ctime: String(phpTime(1, 9)),
      mtime: String(phpTime(1, 20)),
    },
  },
  members: {
    key: "cuihb1454400000000:group:members",
    value: {
      cuihb: String(phpTime(1, 9)),
      xieyx: String(phpTime(1, 10)),
      nopass: String(phpTime(1, 25)),
    },
  },
};

/** The original's broadcasts: [fromuser, touser, touserTitle, title, content, time] as stored. */
export const PHP_BROADCASTS: [string, string, string, string, string, number][] = [
  [
    "cuihb",
    "-xieyx-nopass-",
    "谢雁鑫,无密码",
    "通知 it\\'s",
    "<div>明天开会 &amp; \\'早\\'</div><div>第二行<br></div>",
    phpTime(1, 12),
  ],
  ["xieyx", "-cuihb-bad name-xieyx-", "all", 'C:\\\\dir \\"x\\"', "hello", phpTime(1, 13)],
];

/** The whole original: users, two months, a broadcast year, the MERGE tables, the daemon row. */
export async function createPhpDatabase(pool: MysqlPool): Promise<void> {
  await createPhpUsers(pool);
  // Inserted out of order within the month: the upgrade goes by time, not by id.
  await createPhpMonth(pool, "201601", [
    JANUARY[1],
    JANUARY[0],
    JANUARY[2],
    JANUARY[3],
    ...GROUP_JANUARY,
  ]);
  await createPhpMonth(pool, "201602", FEBRUARY);
  await pool.query(
    `CREATE TABLE webchat_message (
      id int(11) NOT NULL AUTO_INCREMENT, chatid char(32) NOT NULL, fromuser varchar(30) NOT NULL,
      message varchar(500) NOT NULL, time int(11) NOT NULL, filemd5 char(32) NOT NULL,
      type tinyint(1) NOT NULL DEFAULT '0',
      PRIMARY KEY (id), KEY chatidindex (chatid), KEY timeindex (time), KEY md5index (filemd5)
    ) ENGINE=MRG_MyISAM UNION=(webchat_message201602, webchat_message201601) INSERT_METHOD=LAST
      CHARSET=utf8`,
  );
  await createPhpBroadcasts(pool);
  await pool.query(
    `CREATE TABLE webchat_broadcast (
      id int(11) NOT NULL AUTO_INCREMENT, fromuser varchar(32) NOT NULL, touser text NOT NULL,
      touserTitle varchar(500) NOT NULL, title varchar(200) NOT NULL,
      content varchar(1000) NOT NULL, time int(11) NOT NULL, PRIMARY KEY (id)
    ) ENGINE=MRG_MyISAM UNION=(webchat_broadcast2016) INSERT_METHOD=LAST CHARSET=utf8`,
  );
  await createPhpStatus(pool, phpTime(2, 4));
}

/** The original's `webchat_broadcast2016` with {@link PHP_BROADCASTS}. */
export async function createPhpBroadcasts(pool: MysqlPool): Promise<void> {
  await pool.query(`CREATE TABLE if not exists \`webchat_broadcast2016\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`fromuser\` varchar(32) NOT NULL,
  \`touser\` text NOT NULL,
  \`touserTitle\` varchar(500) NOT NULL,
  \`title\` varchar(200) NOT NULL,
  \`content\` varchar(1000) NOT NULL,
  \`time\` int(11) NOT NULL,
  PRIMARY KEY (\`id\`)
) ENGINE=MyISAM CHARSET=utf8`);
  await pool.query(
    `INSERT INTO webchat_broadcast2016 (fromuser, touser, touserTitle, title, content, time)
     VALUES ?`,
    [PHP_BROADCASTS],
  );
}

/** The original's `queue_deamon_status` with its daemon's row, last alive at `tm`. */
export async function createPhpStatus(pool: MysqlPool, tm: number): Promise<void> {
  await pool.query(`CREATE TABLE if not exists \`queue_deamon_status\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`job_name\` varchar(50) NOT NULL COMMENT '队列任务名称',
  \`queue_name\` varchar(50) NOT NULL COMMENT '队列键',
  \`tm\` int(11) NOT NULL DEFAULT '0' COMMENT '由此时间可以知道该队列是否还活着',
  \`server\` char(16) NOT NULL COMMENT '主机ip',
  \`func\` varchar(20) NOT NULL COMMENT '处理该队列的回调函数',
  \`filepath\` varchar(100) NOT NULL COMMENT 'php文件地址',
  \`msgcnt_date\` tinyint(2) NOT NULL DEFAULT '0' COMMENT '月份中第几天',
  \`admin\` varchar(30) NOT NULL COMMENT '队列管理者邮箱',
  \`cnname\` varchar(50) NOT NULL COMMENT '消息队列中文名称',
  \`dostop\` tinyint(1) NOT NULL DEFAULT '0' COMMENT '0表示未停止',
  \`msgcnt_all\` int(11) NOT NULL DEFAULT '0' COMMENT '总共处理消息数',
  \`msgcnt_day\` int(11) NOT NULL DEFAULT '0' COMMENT '该队列今日处理消息数',
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8`);
  await pool.query(
    `INSERT INTO queue_deamon_status (job_name, queue_name, tm, server, func, filepath,
       msgcnt_date, admin, cnname, msgcnt_all, msgcnt_day)
     VALUES ('chat:msg-list', 'chat:msg-list', ?, '10.0.0.5', 'webchatMQ', 'doQuene.php', 4,
       'ops@x.cn', 'itcrm聊天队列', 6, 2)`,
    [tm],
  );
}
