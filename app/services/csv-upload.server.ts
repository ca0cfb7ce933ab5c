/**
 * Multipart upload of one file, streamed to a temporary file (never held in memory), with a size
 * limit. Text fields are kept (small); any other file part is drained and ignored.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { unstable_parseMultipartFormData, type UploadHandler } from "@remix-run/node";
import { ValidationError } from "../domain/errors";

export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
const MAX_TEXT_FIELD_BYTES = 4096;

export interface UploadedFile {
  path: string;
  /** the name the browser sent (basename only) */
  name: string;
  bytes: number;
}

export interface ParsedUpload {
  file: UploadedFile | null;
  fields: Record<string, string>;
}

class UploadTooLargeError extends Error {}

const toSizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.ceil(bytes / 1024)} KB`);

/**
 * Parses a multipart/form-data request: the part named `fileField` goes to a temp file (the
 * caller removes it); throws ValidationError on `fileField` when it is larger than `maxBytes`
 * or the body is not multipart. The file's path never comes from the client.
 */
export async function parseFileUpload(request: Request, { fileField, maxBytes = MAX_UPLOAD_BYTES }: { fileField: string; maxBytes?: number }): Promise<ParsedUpload> {
  let file: UploadedFile | null = null;
  const fields: Record<string, string> = {};
  const written: string[] = [];
  const handler: UploadHandler = async ({ name, filename, data }) => {
    if (filename === undefined) {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of data) {
        size += chunk.byteLength;
        if (size <= MAX_TEXT_FIELD_BYTES) chunks.push(chunk);
      }
      fields[name] = Buffer.concat(chunks).toString("utf8");
      return undefined;
    }
    if (name !== fileField || file || filename === "") {
      for await (const _chunk of data) {
        // drained: only the first non-empty part named fileField is kept
      }
      return undefined;
    }
    const target = path.join(os.tmpdir(), `wafa-upload-${crypto.randomBytes(8).toString("hex")}.csv`);
    written.push(target);
    const out = fs.createWriteStream(target);
    let bytes = 0;
    try {
      for await (const chunk of data) {
        bytes += chunk.byteLength;
        if (bytes > maxBytes) throw new UploadTooLargeError();
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      }
    } finally {
      out.end();
      await finished(out).catch(() => {});
    }
    file = { path: target, name: filename || "upload.csv", bytes };
    return undefined;
  };

  try {
    await unstable_parseMultipartFormData(request, handler);
  } catch (error) {
    await Promise.all(written.map((p) => fsp.rm(p, { force: true })));
    if (error instanceof UploadTooLargeError) {
      throw new ValidationError({ [fileField]: [`The file is larger than ${toSizeText(maxBytes)}.`] }, "Upload too large");
    }
    if (error instanceof TypeError && /FormData/.test(error.message)) {
      throw new ValidationError({ [fileField]: ["Send the file as multipart/form-data."] }, "Not a file upload");
    }
    throw error;
  }
  return { file, fields };
}

export async function removeUpload(file: UploadedFile | null) {
  if (file) await fsp.rm(file.path, { force: true });
}
