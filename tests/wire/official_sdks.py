"""Drives `phonedeck sim` with the official Huawei Cloud SDKs (AK/SK signing with
temporary credentials, so X-Security-Token and X-Project-Id are sent as the SDKs send
them, and the simulator checks them), the official IAM SDK (password token) and
python-novaclient, unchanged.
Usage: official_sdks.py BASE_URL AK SK PROJECT_ID TOKEN SECURITY_TOKEN PASSWORD.
Prints one line per check and exits non-zero on the first failure."""

import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcph.v1 import (
    CphClient,
    ListEncodeServersRequest,
    ListJobsRequest,
    RestartEncodeServerRequest,
    RestartEncodeServerRequestBody,
    ShowJobRequest,
)
from huaweicloudsdkiam.v3 import (
    AuthScope,
    AuthScopeProject,
    IamClient,
    KeystoneCreateUserTokenByPasswordRequest,
    KeystoneCreateUserTokenByPasswordRequestBody,
    PwdAuth,
    PwdIdentity,
    PwdPassword,
    PwdPasswordUser,
    PwdPasswordUserDomain,
)
from huaweicloudsdklive.v1 import (
    CreateStreamForbiddenOnceRequest,
    ListLiveStreamsOnlineRequest,
    LiveClient,
    StreamForbiddenOnceSetting,
)

base, ak, sk, project_id, token, security_token, password = sys.argv[1:8]
domain = "publish.example.com"
TRICKY_STREAM = "cam 1+2*3~é"


def build(client_class, credentials=None):
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    config.timeout = (5, 10)
    if credentials is None:
        credentials = BasicCredentials(ak, sk, project_id).with_security_token(security_token)
    return (
        client_class.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_endpoints([base])
        .build()
    )


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (": " + str(detail) if detail else ""))
    if not ok:
        sys.exit(1)


live = build(LiveClient)
online = live.list_live_streams_online(ListLiveStreamsOnlineRequest(publish_domain=domain))
check("live list_live_streams_online", online.total_num and len(online.streams) > 0, online.total_num)
# A signed query with a space, +, *, ~ and non-ASCII: the simulator checks the SDK's
# signature with phonedeck's canonical form, and the Rust test compares the wire form.
tricky = live.list_live_streams_online(
    ListLiveStreamsOnlineRequest(publish_domain=domain, app="live", stream=TRICKY_STREAM)
)
check("live list_live_streams_online with a query of every kind of character", True, tricky.total_num)
first = online.streams[0]
setting = StreamForbiddenOnceSetting(domain=domain, app_name=first.app, stream_name=first.stream)
blocked = live.create_stream_forbidden_once(CreateStreamForbiddenOnceRequest(body=setting))
check("live create_stream_forbidden_once", blocked.status_code == 204, blocked.status_code)

cph = build(CphClient)
encoders = cph.list_encode_servers(ListEncodeServersRequest(offset=0, limit=100))
check("cph list_encode_servers", len(encoders.encode_servers) > 0, len(encoders.encode_servers))
target = encoders.encode_servers[0].encode_server_id
restarted = cph.restart_encode_server(
    RestartEncodeServerRequest(body=RestartEncodeServerRequestBody(encode_server_ids=[target]))
)
check("cph restart_encode_server", restarted.jobs and restarted.jobs[0].job_id, restarted.jobs)
job_id = restarted.jobs[0].job_id
for _ in range(50):
    job = cph.show_job(ShowJobRequest(job_id=job_id))
    if job.status != 1:
        break
    time.sleep(0.1)
check("cph show_job follows the job to its end", job.status in (2, -1), job.status)
listed = cph.list_jobs(ListJobsRequest(request_id=restarted.request_id))
check(
    "cph list_jobs finds the job by its request id",
    [j.job_id for j in listed.jobs] == [job_id],
    listed.jobs,
)

iam = build(IamClient, GlobalCredentials(ak, sk).with_security_token(security_token))
login = PwdAuth(
    identity=PwdIdentity(
        methods=["password"],
        password=PwdPassword(
            user=PwdPasswordUser(
                domain=PwdPasswordUserDomain(name="sim-domain"), name="oncall", password=password
            )
        ),
    ),
    scope=AuthScope(project=AuthScopeProject(name="sim-region")),
)
issued = iam.keystone_create_user_token_by_password(
    KeystoneCreateUserTokenByPasswordRequest(body=KeystoneCreateUserTokenByPasswordRequestBody(auth=login))
)
check(
    "iam keystone_create_user_token_by_password",
    issued.x_subject_token and issued.token.expires_at,
    issued.token.expires_at,
)
token = issued.x_subject_token

from keystoneauth1 import session
from keystoneauth1.token_endpoint import Token
from novaclient import client as nova_client

nova = nova_client.Client(
    "2.1",
    session=session.Session(auth=Token(endpoint=f"{base}v2.1/{project_id}", token=token)),
    endpoint_override=f"{base}v2.1/{project_id}",
)
servers = nova.servers.list()
check("novaclient servers.list", len(servers) > 0, len(servers))
active = next(s for s in servers if s.status == "ACTIVE")
nova.servers.stop(active)
check("novaclient servers.stop", True)
for _ in range(50):
    server = nova.servers.get(active.id)
    if server.status == "SHUTOFF":
        break
    time.sleep(0.1)
check("server reaches SHUTOFF", server.status == "SHUTOFF", server.status)
try:
    nova.servers.stop(active)
    check("a second stop conflicts", False)
except Exception as error:  # novaclient raises Conflict (409)
    check("a second stop conflicts", getattr(error, "code", None) == 409, error)
print("all official SDK checks passed")
