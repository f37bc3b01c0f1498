# Word lists the data generator draws names from. The first entries of SPECIAL_* are always used,
# so even a small data set holds the awkward names clients must cope with (spaces, `\`, `"`, non-ASCII).
from __future__ import annotations

SERVER_NAMES = [
    'vbr01.corp.example.com',
    'vbr-lon02.corp.example.com',
    'backup-ams.eu.example.net',
    'veeam-dr01.corp.example.com',
    'vbr-nyc03.us.example.org',
    'vbr-par07.eu.example.net',
]

SERVER_VERSIONS = ['12.3.1.1139', '12.3.2.3617', '13.0.1.1071']

# Awkward job names first: a backslash (in a backup job's name: copy workers are the real mix's), a double quote, non-ASCII.
SPECIAL_JOB_NAMES = [
    'Ops\\Core Services',
    'SQL "Prod" Daily',
    'Sauvegarde Comptabilit\u00e9',
    'Core Services',
    'File Servers Nightly',
]

JOB_PREFIXES = [
    'Exchange', 'SQL Cluster', 'Web Farm', 'Domain Controllers', 'Linux Fleet', 'VDI Gold Images', 'SAP HANA',
    'Dev-Test', 'Citrix', 'Print Services', 'ERP', 'CRM', 'Monitoring', 'Jump Hosts', 'Kubernetes Nodes',
    'Oracle DB', 'Mail Gateway', 'DMZ', 'Branch Office', 'Payroll',
]
JOB_SUFFIXES = ['Backup', 'Daily', 'Nightly', 'Backup Job', '- Tier 1', '(Weekdays)']

# Awkward VM names first: spaces, underscores, dots, non-ASCII.
SPECIAL_VM_NAMES = [
    'sqldb-prod01',
    'Finance Share 02',
    'app_srv_07',
    'web01.corp.example.com',
    'k\u00f6ln-fs01',
]

VM_SITES = ['lon', 'ams', 'fra', 'nyc', 'sgp', 'syd', 'par', 'mad', 'zrh', 'tor']
VM_ROLES = ['sql', 'web', 'app', 'dc', 'fs', 'exch', 'k8s', 'ora', 'mq', 'ctx', 'rds', 'prt', 'log', 'mon', 'git', 'ci']
VM_ENVS = ['prod', 'test', 'dev', 'qa']
VM_DOMAINS = ['corp.example.com', 'lab.local', 'dmz.example.net']
VM_SPACED = ['Finance Share', 'HR Portal', 'Sales Reports', 'Build Agent', 'Print Server', 'Legacy ERP']

DISK_SIZES_GIB = [16, 24, 32, 40, 60, 80, 100, 120, 200, 250, 500, 750, 1024, 2048]
DISK_SIZE_WEIGHTS = [6, 8, 12, 14, 14, 12, 10, 8, 6, 4, 3, 1, 1, 1]

DATASTORE_NAMES = ['DS-SSD-01', 'DS-SSD-02', 'vsanDatastore', 'NFS_Tier2', 'DS SAS 03']
