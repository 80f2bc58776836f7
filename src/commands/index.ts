// Every command module's definitions, gathered for the command table. Adding a command: declare
// it in the module for its group (or a new module listed here); see README "Adding a command".

import type { CommandSpec } from './command';
import { CONNECTION_COMMANDS } from './connection';
import { STRING_COMMANDS } from './strings';
import { KEY_COMMANDS } from './keys';
import { DATABASE_COMMANDS } from './databases';
import { OBJECT_COMMANDS } from './object';
import { ACL_COMMANDS } from './acl';
import { LIST_COMMANDS } from './lists';
import { HASH_COMMANDS } from './hashes';
import { SET_COMMANDS } from './sets';
import { ZSET_COMMANDS } from './zsets';
import { SORT_COMMANDS } from './sort';
import { INFO_COMMANDS } from './info';
import { CLIENT_COMMANDS } from './client';
import { COMMAND_DOCS_COMMANDS } from './command-docs';
import { DEBUG_COMMANDS } from './debug';
import { SERVER_ADMIN_COMMANDS } from './server-admin';
import { TRANSACTION_COMMANDS } from './transactions';
import { PUBSUB_COMMANDS } from './pubsub';
import { BLOCKING_COMMANDS } from './blocking';
import { PERSISTENCE_COMMANDS } from './persistence';
import { REPLICATION_COMMANDS } from './replication';
import { CONFIG_COMMANDS } from './config';
import { AOF_COMMANDS } from './aof';
import { DUMP_RESTORE_COMMANDS } from './dump-restore';
import { MEMORY_COMMANDS } from './memory';

export const ALL_COMMANDS: CommandSpec[] = [...CONNECTION_COMMANDS, ...STRING_COMMANDS, ...KEY_COMMANDS, ...DATABASE_COMMANDS, ...OBJECT_COMMANDS, ...ACL_COMMANDS, ...LIST_COMMANDS, ...HASH_COMMANDS, ...SET_COMMANDS, ...ZSET_COMMANDS, ...SORT_COMMANDS, ...INFO_COMMANDS, ...CLIENT_COMMANDS, ...COMMAND_DOCS_COMMANDS, ...DEBUG_COMMANDS, ...SERVER_ADMIN_COMMANDS, ...TRANSACTION_COMMANDS, ...PUBSUB_COMMANDS, ...BLOCKING_COMMANDS, ...PERSISTENCE_COMMANDS, ...REPLICATION_COMMANDS, ...CONFIG_COMMANDS, ...AOF_COMMANDS, ...DUMP_RESTORE_COMMANDS, ...MEMORY_COMMANDS];
