//! Where upload tokens come from: `getUploadToken` for videos, the batch token operations
//! (one file per call) for audio and materials.

use super::grant::{self, Grant};
use crate::model::{AudioUploadFile, GetUploadTokenRequest, MaterialUploadFile};
use crate::{Client, Error};

/// Video tokens: `getUploadToken`, always with a `fileId`, so a second call continues the
/// same video and key.
pub(crate) struct VideoGrants {
    pub(crate) client: Client,
    pub(crate) request: GetUploadTokenRequest,
}

impl VideoGrants {
    pub(crate) async fn fetch(&self) -> Result<Grant, Error> {
        let out = self.client.send(&self.request).await?;
        Ok(Grant {
            base: grant::normalize_base(&out.upload_url),
            token: out.upload_token,
            key: out.file_key,
            asset_id: out.video_id.into_string(),
            url: None,
        })
    }
}

/// Audio and material tokens: one file per request. A second request creates another asset,
/// so these tokens are not renewed mid-upload.
pub(crate) struct BatchGrants {
    pub(crate) client: Client,
    pub(crate) name: String,
    pub(crate) domain: Option<String>,
    pub(crate) audio: bool,
}

impl BatchGrants {
    pub(crate) async fn fetch(&self) -> Result<Grant, Error> {
        let (client, name, domain) = (&self.client, self.name.clone(), self.domain.clone());
        let suffix = name.rsplit_once('.').map(|(_, s)| s.to_ascii_lowercase());
        let operation = if self.audio {
            "getAudioUploadToken"
        } else {
            "getMaterialUploadToken"
        };
        let (base, item) = if self.audio {
            let file = AudioUploadFile::new(name, suffix.as_deref().unwrap_or("mp3"));
            let mut builder = client.get_audio_upload_token([file]);
            if let Some(d) = domain {
                builder = builder.domain(d);
            }
            let out = builder.send().await?;
            let item = out
                .items
                .into_iter()
                .next()
                .map(|i| (i.audio_id.into_string(), i.upload_token, i.file_full_url));
            (out.upload_url, item)
        } else {
            let file = MaterialUploadFile { name, suffix };
            let mut builder = client.get_material_upload_token(vec![file]);
            if let Some(d) = domain {
                builder = builder.domain(d);
            }
            let out = builder.send().await?;
            let item = out
                .items
                .into_iter()
                .next()
                .map(|i| (i.material_id.into_string(), i.upload_token, i.file_full_url));
            (out.upload_url, item)
        };
        let decode = |message: &str| Error::Decode {
            operation,
            path: "data.items[0]".into(),
            message: message.into(),
            body_excerpt: String::new(),
        };
        let (id, token, url) = item.ok_or_else(|| decode("no item in the answer"))?;
        let key = grant::scope_key(&token)
            .ok_or_else(|| decode("the upload token's scope names no key"))?;
        Ok(Grant {
            base: grant::normalize_base(&base),
            token,
            key,
            asset_id: id,
            url,
        })
    }
}
