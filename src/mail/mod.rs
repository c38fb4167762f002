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
        match self {
            Mailer::Memory(sent) => {
                sent.lock()
                    .map_err(|_| anyhow::anyhow!("the memory mailbox is poisoned"))?
                    .push(email.clone());
            }
            Mailer::File { transport, from } => {
                transport
                    .send(message(from, email)?)
                    .await
                    .context("cannot write the email file")?;
            }
            Mailer::Smtp { transport, from } => {
                transport
                    .send(message(from, email)?)
                    .await
                    .context("the SMTP server refused the email")?;
            }
        }
        Ok(())
    }
}

fn message(from: &Mailbox, email: &Email) -> anyhow::Result<Message> {
    Message::builder()
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
    fn a_bad_sender_address_is_explained() {
        let err = Mailer::from_config(&MailConfig::Memory, "not an address")
            .err()
            .unwrap();
        assert!(err.to_string().contains("SWITCHYARD_MAIL_FROM"), "{err}");
    }
}
