//! Outgoing email: an enum of transports (SMTP in production, `.eml` files in
//! development) behind one `send`.

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

    pub async fn send(&self, email: &Email) -> anyhow::Result<()> {
        let from = match self {
            Mailer::File { from, .. } | Mailer::Smtp { from, .. } => from.clone(),
        };
        let message = Message::builder()
            .from(from)
            .to(email.to.parse().context("invalid recipient")?)
            .subject(&email.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(email.text.clone())
            .context("cannot build the email")?;
        match self {
            Mailer::File { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .context("cannot write the email file")?;
            }
            Mailer::Smtp { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .context("the SMTP server refused the email")?;
            }
        }
        Ok(())
    }
}
