/* panicsage pki: a small certificate authority for the upload path.
 *
 *   panicsage pki init DIR [--ip IP] [--port N] [--days N] [--server-cn NAME]
 *       ca.{key,crt}, server.{key,crt}, server.pin, client.{key,crt}
 *       and a kdump.conf pointing at IP:PORT with the server pin
 *   panicsage pki client DIR NAME [--days N]
 *       another client certificate NAME.{key,crt} from DIR's CA
 *   panicsage pki pin CERT
 *       prints the server_pin of a certificate
 *
 * Keys are ECDSA P-256, certificates X.509 v3 signed with SHA-256.
 * Existing files are never overwritten. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "port/port.h"
#include "tools/cli/cli.h"
#include "tools/collector/commands.h"
#include "tools/collector/tlsutil.h"

/* Where kdump/UPLOAD.md's unit keeps the store. */
#define STORE_DEFAULT "/var/lib/panicsage/cases.db"

struct pki {
	struct tls_rng rng;
	const char *dir;
	uint32_t days;
	char err[200];
};

/* Every function below returns an exit code (core/exitcode.h): 2 a bad
 * argument, 3 a file that cannot be read or written (or exists already),
 * 4 a file that is not a usable key or certificate, 1 mbedTLS failed. */

static int path_in(char *out, size_t cap, const char *dir, const char *name, const char *ext)
{
	int n = snprintf(out, cap, "%s/%s%s", dir, name, ext);

	if (n < 0 || (size_t)n >= cap) {
		cli_error("pki: path too long: %s/%s%s", dir, name, ext);
		return PS_EXIT_USAGE;
	}
	return PS_EXIT_OK;
}

/* Creates a new file (never replaces one) with `mode`. */
static int write_new(const char *path, const void *data, size_t len, unsigned mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode), err;

	if (fd < 0) {
		cli_error("pki: %s: %s%s", path, strerror(errno),
			  errno == EEXIST ? " (remove it or use another directory)" : "");
		return PS_EXIT_IO;
	}
	err = port_write_all(fd, data, len);
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (err) {
		cli_error("pki: %s: %s", path, strerror(err));
		unlink(path);
		return PS_EXIT_IO;
	}
	return PS_EXIT_OK;
}

static int gen_key(struct pki *p, mbedtls_pk_context *key, const char *path)
{
	unsigned char pem[2048];
	int ret;

	ret = mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (!ret)
		ret = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key),
					  mbedtls_ctr_drbg_random, &p->rng.drbg);
	if (!ret)
		ret = mbedtls_pk_write_key_pem(key, pem, sizeof pem);
	if (ret) {
		cli_error("pki: key generation: %s", tls_err(p->err, sizeof p->err, ret));
		return PS_EXIT_FAILURE;
	}
	ret = write_new(path, pem, strlen((char *)pem), 0600);
	memset(pem, 0, sizeof pem);
	return ret;
}

static int load_key(struct pki *p, mbedtls_pk_context *key, const char *path)
{
	int ret = mbedtls_pk_parse_keyfile(key, path, NULL);

	if (ret) {
		cli_error("pki: %s: %s", path, tls_err(p->err, sizeof p->err, ret));
		return ret == MBEDTLS_ERR_PK_FILE_IO_ERROR ? PS_EXIT_IO : PS_EXIT_INPUT;
	}
	return PS_EXIT_OK;
}

static void validity(uint32_t days, char from[16], char to[16])
{
	time_t now = time(NULL), start = now - 86400, end = now + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&start, &tm);
	strftime(from, 16, "%Y%m%d%H%M%S", &tm);
	gmtime_r(&end, &tm);
	if (tm.tm_year + 1900 > 9999)
		tm.tm_year = 9999 - 1900;
	strftime(to, 16, "%Y%m%d%H%M%S", &tm);
}

/* Whether `name` can be a dNSName: letters, digits, '-' and '.', at most
 * 100 bytes (so the extension below keeps one-byte DER lengths). */
static int dns_name(const char *name)
{
	size_t n = strlen(name), i;

	if (!n || n > 100)
		return 0;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '-' || name[i] == '.'))
			return 0;
	return 1;
}

/* The subjectAltName extension naming IP address `ip` and, when the
 * server's common name `cn` is a host name, that name too (a client that
 * finds a subjectAltName no longer looks at the common name), so that
 * browsers and curl accept the collector's certificate for https://IP/
 * (panicsage web) and TLS clients for https://CN/; kdump checks its pin. */
static int set_san(mbedtls_x509write_cert *crt, const char *ip, const char *cn)
{
	unsigned char addr[16], der[2 + (2 + 16) + (2 + 100)];
	size_t n = strchr(ip, ':') ? 16 : 4, len = 2;

	if (inet_pton(n == 16 ? AF_INET6 : AF_INET, ip, addr) != 1)
		return MBEDTLS_ERR_X509_BAD_INPUT_DATA;
	der[len++] = 0x87;              /* [7] iPAddress */
	der[len++] = (unsigned char)n;
	memcpy(der + len, addr, n);
	len += n;
	if (cn && dns_name(cn)) {
		der[len++] = 0x82;      /* [2] dNSName */
		der[len++] = (unsigned char)strlen(cn);
		memcpy(der + len, cn, strlen(cn));
		len += strlen(cn);
	}
	der[0] = 0x30;                  /* SEQUENCE */
	der[1] = (unsigned char)(len - 2);
	return mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
						   MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, der, len);
}

/* Issues a certificate for `subject_key`, signed by issuer_key (itself
 * for the CA), and writes it as PEM to `path`; `ip` (NULL: none) and the
 * host name `cn` (NULL: none) are its subjectAltName. */
static int issue(struct pki *p, const char *subject, mbedtls_pk_context *subject_key,
		 const char *issuer, mbedtls_pk_context *issuer_key, int is_ca, const char *ip, const char *cn,
		 const char *path)
{
	mbedtls_x509write_cert crt;
	mbedtls_mpi serial;
	unsigned char pem[4096], rnd[16];
	char from[16], to[16];
	int ret;

	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);
	validity(p->days, from, to);
	ret = mbedtls_ctr_drbg_random(&p->rng.drbg, rnd, sizeof rnd);
	rnd[0] &= 0x7f;   /* a positive serial number */
	rnd[0] |= 0x40;
	if (!ret)
		ret = mbedtls_mpi_read_binary(&serial, rnd, sizeof rnd);
	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, subject_key);
	mbedtls_x509write_crt_set_issuer_key(&crt, issuer_key);
	if (!ret) ret = mbedtls_x509write_crt_set_serial(&crt, &serial);
	if (!ret) ret = mbedtls_x509write_crt_set_validity(&crt, from, to);
	if (!ret) ret = mbedtls_x509write_crt_set_subject_name(&crt, subject);
	if (!ret) ret = mbedtls_x509write_crt_set_issuer_name(&crt, issuer);
	if (!ret) ret = mbedtls_x509write_crt_set_basic_constraints(&crt, is_ca, is_ca ? 0 : -1);
	if (!ret) ret = mbedtls_x509write_crt_set_subject_key_identifier(&crt);
	if (!ret) ret = mbedtls_x509write_crt_set_authority_key_identifier(&crt);
	if (!ret) ret = mbedtls_x509write_crt_set_key_usage(&crt, is_ca ?
		MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN :
		MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_AGREEMENT);
	if (!ret && ip) ret = set_san(&crt, ip, cn);
	if (!ret) ret = mbedtls_x509write_crt_pem(&crt, pem, sizeof pem, mbedtls_ctr_drbg_random,
						 &p->rng.drbg);
	mbedtls_x509write_crt_free(&crt);
	mbedtls_mpi_free(&serial);
	if (ret) {
		cli_error("pki: certificate for %s: %s", subject, tls_err(p->err, sizeof p->err, ret));
		return PS_EXIT_FAILURE;
	}
	return write_new(path, pem, strlen((char *)pem), 0644);
}

static int print_pin(const char *cert_path, char hex[65])
{
	mbedtls_x509_crt crt;
	uint8_t pin[32];
	char err[200];
	int ret;

	mbedtls_x509_crt_init(&crt);
	ret = mbedtls_x509_crt_parse_file(&crt, cert_path);
	if (ret) {
		cli_error("pki: %s: %s", cert_path, tls_err(err, sizeof err, ret));
		mbedtls_x509_crt_free(&crt);
		return ret == MBEDTLS_ERR_PK_FILE_IO_ERROR || ret == MBEDTLS_ERR_X509_FILE_IO_ERROR ?
		       PS_EXIT_IO : PS_EXIT_INPUT;
	}
	ret = tls_pin_of_cert(&crt, pin);
	mbedtls_x509_crt_free(&crt);
	if (ret) {
		cli_error("pki: %s: %s", cert_path, tls_err(err, sizeof err, ret));
		return PS_EXIT_INPUT;
	}
	tls_hex(pin, sizeof pin, hex);
	return PS_EXIT_OK;
}

/* A client certificate NAME.{key,crt} signed by DIR/ca. */
static int make_client(struct pki *p, const char *name)
{
	mbedtls_pk_context ca, key;
	char kpath[4096], cpath[4096], subject[200];
	int rc;

	for (const char *s = name; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.')) {
			cli_error("pki: client name '%s': use letters, digits, '-', '_' and '.'", name);
			return PS_EXIT_USAGE;
		}
	mbedtls_pk_init(&ca);
	mbedtls_pk_init(&key);
	snprintf(subject, sizeof subject, "CN=%s,O=panicsage client", name);
	if (!(rc = path_in(kpath, sizeof kpath, p->dir, "ca", ".key")) && !(rc = load_key(p, &ca, kpath)) &&
	    !(rc = path_in(kpath, sizeof kpath, p->dir, name, ".key")) &&
	    !(rc = path_in(cpath, sizeof cpath, p->dir, name, ".crt")) &&
	    !(rc = gen_key(p, &key, kpath)))
		rc = issue(p, subject, &key, "CN=panicsage CA,O=panicsage", &ca, 0, NULL, NULL, cpath);
	mbedtls_pk_free(&ca);
	mbedtls_pk_free(&key);
	return rc;
}

static int pki_init(struct pki *p, const char *ip, uint32_t port, const char *server_cn)
{
	mbedtls_pk_context ca, srv;
	char path[4096], pin[65], conf[2048], addr[80], subject[300];
	int rc, n;

	if (port_mkdir(p->dir, 0700) != 0) {
		cli_error("pki: cannot create %s: %s", p->dir, strerror(errno));
		return PS_EXIT_IO;
	}
	mbedtls_pk_init(&ca);
	mbedtls_pk_init(&srv);
	snprintf(subject, sizeof subject, "CN=%s,O=panicsage", server_cn);
	if ((rc = path_in(path, sizeof path, p->dir, "ca", ".key")) || (rc = gen_key(p, &ca, path)) ||
	    (rc = path_in(path, sizeof path, p->dir, "ca", ".crt")) ||
	    (rc = issue(p, "CN=panicsage CA,O=panicsage", &ca, "CN=panicsage CA,O=panicsage", &ca, 1, NULL, NULL, path)) ||
	    (rc = path_in(path, sizeof path, p->dir, "server", ".key")) || (rc = gen_key(p, &srv, path)) ||
	    (rc = path_in(path, sizeof path, p->dir, "server", ".crt")) ||
	    (rc = issue(p, subject, &srv, "CN=panicsage CA,O=panicsage", &ca, 0, ip, server_cn, path)) ||
	    (rc = print_pin(path, pin)) ||
	    (rc = make_client(p, "client")))
		goto out;
	n = snprintf(conf, sizeof conf, "%s\n", pin);
	if ((rc = path_in(path, sizeof path, p->dir, "server", ".pin")) ||
	    (rc = write_new(path, conf, (size_t)n, 0644)))
		goto out;
	snprintf(addr, sizeof addr, strchr(ip, ':') ? "[%s]:%u" : "%s:%u", ip, port);
	n = snprintf(conf, sizeof conf,
		     "# panicsage-kdump upload settings (see kdump/upload.h)\n"
		     "collector = %s\n"
		     "cert = /etc/panicsage/client.crt\n"
		     "key = /etc/panicsage/client.key\n"
		     "server_pin = %s\n", addr, pin);
	if ((rc = path_in(path, sizeof path, p->dir, "kdump", ".conf")) ||
	    (rc = write_new(path, conf, (size_t)n, 0644)))
		goto out;
	printf("created in %s: ca.key ca.crt server.key server.crt server.pin client.key client.crt kdump.conf\n"
	       "collector:  panicsage serve --listen %s --db " STORE_DEFAULT " --ca %s/ca.crt"
	       " --cert %s/server.crt --key %s/server.key\n"
	       "            (the store's directory must exist; serve creates the store in it)\n"
	       "kdump side: copy client.crt, client.key and kdump.conf to /etc/panicsage/\n"
	       "server_pin: %s\n", p->dir, addr, p->dir, p->dir, p->dir, pin);
out:
	mbedtls_pk_free(&ca);
	mbedtls_pk_free(&srv);
	return rc;
}

static void pki_usage(FILE *f)
{
	fputs("usage: panicsage pki init DIR [--ip IP] [--port N] [--days N] [--server-cn NAME]\n"
	      "       panicsage pki client DIR NAME [--days N]\n"
	      "       panicsage pki pin CERT\n\n"
	      "Creates the ECDSA P-256 certificates for mutual TLS between panicsage-kdump and\n"
	      "'panicsage serve': a CA, the collector's certificate and its pin, client\n"
	      "certificates and a kdump.conf.  Existing files are never overwritten.\n\n"
	      "exit codes: 2 bad usage, 3 a file cannot be read or written (or exists\n"
	      "            already), 4 a file is not a usable key or certificate\n", f);
}

int cmd_pki(int argc, char **argv)
{
	struct pki p;
	const char *ip = "127.0.0.1", *sub, *server_cn = "panicsage collector";
	char *all[3] = { NULL, NULL, NULL }, **args;
	uint32_t port = 7443;
	int nargs = 0, rc;
	char pin[65];
	const struct cli_opt opts[] = {
		CLI_STR("--ip", &ip),
		CLI_STR("--server-cn", &server_cn),
		CLI_U32("--port", &port, 1, 65535),
		CLI_U32("--days", &p.days, 1, 36500),
		CLI_END
	};
	const struct cli_spec spec = { "pki", opts, pki_usage, 1, 3 };

	memset(&p, 0, sizeof p);
	p.days = 3650;
	if ((rc = cli_parse(&spec, argc, argv, all, &nargs)) != PS_EXIT_OK)
		return rc == CLI_HELP ? PS_EXIT_OK : rc;
	sub = all[0];
	args = all + 1;
	nargs--;
	if (!*server_cn || strpbrk(server_cn, ",=+\\\"<>;")) {
		cli_error("pki: --server-cn: a plain name without , = + \\ \" < > ;");
		return PS_EXIT_USAGE;
	}
	if (!strcmp(sub, "pin")) {
		if (nargs != 1) {
			pki_usage(stderr);
			return PS_EXIT_USAGE;
		}
		if ((rc = print_pin(args[0], pin)) != PS_EXIT_OK)
			return rc;
		printf("%s\n", pin);
		return PS_EXIT_OK;
	}
	if ((strcmp(sub, "init") || nargs != 1) && (strcmp(sub, "client") || nargs != 2)) {
		pki_usage(stderr);
		return PS_EXIT_USAGE;
	}
	{
		char tmp[64];
		uint16_t port16;
		snprintf(tmp, sizeof tmp, strchr(ip, ':') ? "[%s]:1" : "%s:1", ip);
		if (port_parse_addr(tmp, tmp, sizeof tmp, &port16)) {
			cli_error("pki: --ip needs an IP address literal, got '%s'", ip);
			return PS_EXIT_USAGE;
		}
	}
	p.dir = args[0];
	rc = tls_rng_init(&p.rng, "panicsage pki");
	if (rc) {
		cli_error("pki: random generator: %s", tls_err(p.err, sizeof p.err, rc));
		return PS_EXIT_FAILURE;
	}
	rc = !strcmp(sub, "init") ? pki_init(&p, ip, port, server_cn) : make_client(&p, args[1]);
	if (rc == 0 && !strcmp(sub, "client"))
		printf("created %s/%s.key and %s/%s.crt\n", p.dir, args[1], p.dir, args[1]);
	tls_rng_free(&p.rng);
	return rc;
}
