//! Outgoing email: an enum of transports (SMTP in production, `.eml` files in
//! development) behind one `send`.

use std::sync::{Arc, Mutex};

use anyhow::Context;
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::authentication::Credentials,
};
use secrecy::ExposeSecret;

use crate::config::{MailConfig, SmtpTls};

#[derive(Clone)]
pub enum Mailer {
    /// Keeps every email in memory (tests).
    Memory(Arc<Mutex<Vec<Email>>>),
    File {
        transport: AsyncFileTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

/// One email, ready to send.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl Mailer {
    pub fn from_config(config: &MailConfig, from: &str) -> anyhow::Result<Self> {
        let from: Mailbox = from
            .parse()
            .context("the sender address (SWITCHYARD_MAIL_FROM) is not valid")?;
        Ok(match config {
            MailConfig::Memory => Mailer::Memory(Arc::default()),
            MailConfig::File { dir } => {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!("cannot create the mail directory {}", dir.display())
                })?;
                Mailer::File {
                    transport: AsyncFileTransport::new(dir),
                    from,
                }
            }
            MailConfig::Smtp(smtp) => {
                let mut builder = match smtp.tls {
                    SmtpTls::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                    }
                    SmtpTls::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                            .context("invalid SMTP host")?
                    }
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                        .context("invalid SMTP host")?,
                }
                .port(smtp.port)
                .timeout(Some(std::time::Duration::from_secs(20)));
                if let (Some(user), Some(pass)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(
                        user.clone(),
                        pass.expose_secret().to_owned(),
                    ));
                }
                Mailer::Smtp {
                    transport: builder.build(),
                    from,
                }
            }
        })
    }

    /// Emails kept by the memory transport, oldest first (empty for the others).
    pub fn sent(&self) -> Vec<Email> {
        match self {
            Mailer::Memory(sent) => sent.lock().map(|s| s.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    pub async fn send(&self, email: &Email) -> anyhow::Result<()> {
        self.send_keyed(email, None).await
    }

    /// Sends `email`; with `key` (the outbox row's idempotency key) its Message-ID is
    /// derived from the key, so every attempt at one row carries the same Message-ID and
    /// a copy delivered twice (a relay that answered after the deadline) can be
    /// recognised downstream.
    pub async fn send_keyed(&self, email: &Email, key: Option<&str>) -> anyhow::Result<()> {
        match self {
            Mailer::Memory(sent) => {
                sent.lock()
                    .map_err(|_| anyhow::anyhow!("the memory mailbox is poisoned"))?
                    .push(email.clone());
            }
            Mailer::File { transport, from } => {
                transport
                    .send(message(from, email, key)?)
                    .await
                    .context("cannot write the email file")?;
            }
            Mailer::Smtp { transport, from } => {
                transport
                    .send(message(from, email, key)?)
                    .await
                    .context("the SMTP server refused the email")?;
            }
        }
        Ok(())
    }
}

/// Whether trying again cannot help: the relay refused the email for good (a 5xx reply
/// such as an unknown recipient), or the email cannot even be built (an invalid
/// address). A refused sign-in (530, 534, 535, 538) is ours to fix, not the
/// recipient's, so it is not permanent: the email waits for the fix.
pub fn is_permanent(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        if let Some(smtp) = cause.downcast_ref::<lettre::transport::smtp::Error>() {
            let ours = smtp.status().is_some_and(|code| {
                matches!(code.to_string().as_str(), "530" | "534" | "535" | "538")
            });
            return smtp.is_permanent() && !ours;
        }
        cause.is::<lettre::address::AddressError>() || cause.is::<lettre::error::Error>()
    })
}

/// The Message-ID for the outbox row with idempotency key `key`: the same on every
/// attempt, unique to the row.
pub fn message_id(from: &Mailbox, key: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(key.as_bytes());
    format!("<{}@{}>", hex::encode(&digest[..16]), from.email.domain())
}

fn message(from: &Mailbox, email: &Email, key: Option<&str>) -> anyhow::Result<Message> {
    let mut builder = Message::builder();
    if let Some(key) = key {
        builder = builder.message_id(Some(message_id(from, key)));
    }
    builder
        .from(from.clone())
        .to(email.to.parse().context("invalid recipient")?)
        .subject(&email.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(email.text.clone())
        .context("cannot build the email")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_memory_transport_keeps_what_was_sent_in_order() {
        let mailer =
            Mailer::from_config(&MailConfig::Memory, "Switchyard <no-reply@switchyard.test>")
                .unwrap();
        for subject in ["first", "second"] {
            let email = Email {
                to: "anna@kaffebaren.example".into(),
                subject: subject.into(),
                text: "Hello".into(),
            };
            mailer.send(&email).await.unwrap();
        }
        let subjects: Vec<String> = mailer.sent().into_iter().map(|e| e.subject).collect();
        assert_eq!(subjects, ["first", "second"]);
    }

    #[test]
    fn each_outbox_row_has_a_message_id_of_its_own_on_every_attempt() {
        let from: Mailbox = "Switchyard <no-reply@switchyard.test>".parse().unwrap();
        let a = message_id(&from, "signin:1");
        assert_eq!(a, message_id(&from, "signin:1"));
        assert_ne!(a, message_id(&from, "signin:2"));
        assert!(
            a.starts_with('<') && a.ends_with("@switchyard.test>"),
            "{a}"
        );
    }

    #[test]
    fn an_invalid_recipient_is_permanent_a_poisoned_mailbox_is_not() {
        let from: Mailbox = "no-reply@switchyard.test".parse().unwrap();
        let email = Email {
            to: "not an address".into(),
            subject: "s".into(),
            text: "t".into(),
        };
        let err = message(&from, &email, None).err().unwrap();
        assert!(is_permanent(&err), "{err:#}");
        assert!(!is_permanent(&anyhow::anyhow!(
            "the memory mailbox is poisoned"
        )));
    }

    #[test]
    fn a_bad_sender_address_is_explained() {
        let err = Mailer::from_config(&MailConfig::Memory, "not an address")
            .err()
            .unwrap();
        assert!(err.to_string().contains("SWITCHYARD_MAIL_FROM"), "{err}");
    }
}
