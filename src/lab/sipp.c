/* The lab's caller: sipp places one call to an agent through a registrar,
 * holds it for a given time, then hangs up (BYE). The scenario is written
 * into the lab's temp dir, so the lab needs no file from the source tree. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lab.h"

/* A UAC: INVITE through the registrar, ACK and BYE along the Record-Route
 * it set up ([routes]), so the whole dialog passes the site's registrar. */
static const char call_xml[] =
	"<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n"
	"<!-- dualsite lab: one call, held for -d ms, then BYE. -->\n"
	"<scenario name=\"dualsite lab call\">\n"
	"  <send retrans=\"500\">\n"
	"    <![CDATA[\n"
	"      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
	"      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
	"      From: \"lab caller\" <sip:caller@[local_ip]:[local_port]>;tag=[pid]lab[call_number]\n"
	"      To: <sip:[service]@[remote_ip]:[remote_port]>\n"
	"      Call-ID: [call_id]\n"
	"      CSeq: 1 INVITE\n"
	"      Contact: <sip:caller@[local_ip]:[local_port]>\n"
	"      Max-Forwards: 70\n"
	"      Subject: dualsite lab\n"
	"      Content-Type: application/sdp\n"
	"      Content-Length: [len]\n"
	"\n"
	"      v=0\n"
	"      o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]\n"
	"      s=-\n"
	"      c=IN IP[media_ip_type] [media_ip]\n"
	"      t=0 0\n"
	"      m=audio [media_port] RTP/AVP 0\n"
	"      a=rtpmap:0 PCMU/8000\n"
	"\n"
	"    ]]>\n"
	"  </send>\n"
	"  <recv response=\"100\" optional=\"true\"/>\n"
	"  <recv response=\"180\" optional=\"true\"/>\n"
	"  <recv response=\"183\" optional=\"true\"/>\n"
	"  <recv response=\"200\" rrs=\"true\"/>\n"
	"  <send>\n"
	"    <![CDATA[\n"
	"      ACK [next_url] SIP/2.0\n"
	"      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
	"      From: \"lab caller\" <sip:caller@[local_ip]:[local_port]>;tag=[pid]lab[call_number]\n"
	"      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n"
	"      Call-ID: [call_id]\n"
	"      CSeq: 1 ACK\n"
	"      [routes]\n"
	"      Contact: <sip:caller@[local_ip]:[local_port]>\n"
	"      Max-Forwards: 70\n"
	"      Content-Length: 0\n"
	"\n"
	"    ]]>\n"
	"  </send>\n"
	"  <pause/>\n"
	"  <send retrans=\"500\">\n"
	"    <![CDATA[\n"
	"      BYE [next_url] SIP/2.0\n"
	"      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
	"      From: \"lab caller\" <sip:caller@[local_ip]:[local_port]>;tag=[pid]lab[call_number]\n"
	"      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n"
	"      Call-ID: [call_id]\n"
	"      CSeq: 2 BYE\n"
	"      [routes]\n"
	"      Contact: <sip:caller@[local_ip]:[local_port]>\n"
	"      Max-Forwards: 70\n"
	"      Content-Length: 0\n"
	"\n"
	"    ]]>\n"
	"  </send>\n"
	"  <recv response=\"200\" crlf=\"true\"/>\n"
	"</scenario>\n";

int lab_sipp_prepare(struct lab *lab)
{
	return access(lab->sippxml, R_OK) ? lab_write_file(lab->sippxml, call_xml, 0600) : 0;
}

int lab_sipp_call(struct lab *lab, const struct lab_agent *a, struct lab_kam *via,
		  int hold_ms)
{
	char target[32], hold[32], port[16], mport[16];
	uint16_t avoid[2 + LAB_N_KAM + LAB_N_STANDIN];
	size_t n_avoid = 0;
	uint16_t media = 0;
	int err;

	if ((err = lab_sipp_prepare(lab)))
		return err;
	for (int i = 0; i < LAB_N_KAM; i++)
		avoid[n_avoid++] = lab->kam[i].port;
	for (int i = 0; i < LAB_N_STANDIN; i++)
		avoid[n_avoid++] = lab->standin[i].port;
	if (!lab->sipp_port) {
		err = lab_free_port(&lab->sipp_port, avoid, n_avoid);
		if (err)
			return err;
	}
	avoid[n_avoid++] = lab->sipp_port;
	err = lab_free_port(&media, avoid, n_avoid);
	if (err)
		return err;
	snprintf(target, sizeof(target), "127.0.0.1:%u", via->port);
	snprintf(hold, sizeof(hold), "%d", hold_ms);
	snprintf(port, sizeof(port), "%u", lab->sipp_port);
	snprintf(mport, sizeof(mport), "%u", media);
	char *argv[] = {
		"sipp", target, "-sf", lab->sippxml, "-s", (char *)a->user,
		"-d", hold, "-m", "1", "-l", "1", "-nostdin",
		"-i", "127.0.0.1", "-p", port, "-mi", "127.0.0.1", "-mp", mport,
		"-timeout", "120s", "-timeout_error", NULL,
	};
	int log = open(lab->sipplog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (log < 0)
		return errno;
	err = lab_proc_spawn(&lab->sipp, "sipp", argv, NULL, log, log);
	close(log);
	return err;
}
