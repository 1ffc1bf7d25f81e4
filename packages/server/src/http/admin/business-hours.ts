import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AdminService } from '../../core/admin-service.js';
import { parseOr400 } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';

const time = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'times are HH:MM, 00:00 to 24:00');
const intervals = z.array(z.strictObject({ open: time, close: time })).max(12);
const businessHoursBody = z.strictObject({
  queue: z.string().max(128).default(''),
  timeZone: z.string().min(1).max(64),
  weekly: z.strictObject({ mon: intervals, tue: intervals, wed: intervals, thu: intervals, fri: intervals, sat: intervals, sun: intervals }).partial(),
  holidays: z
    .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'holidays are dates YYYY-MM-DD'))
    .max(400)
    .default([]),
});
const deploymentParams = z.object({ id: z.string().min(1).max(128) });
const queueQuery = z.object({ queue: z.string().max(128).default('') });

/** Business hours per deployment and queue (part of the admin plugin: its preHandler has authenticated the admin). */
export function registerBusinessHoursRoutes(app: FastifyInstance, admin: AdminService, openapi: OpenApiRegistry, P: string): void {
  const doc = openapi.add.bind(openapi);
  doc({ method: 'get', path: `${P}/deployments/:id/business-hours`, tag: 'admin', summary: 'Business hours of the deployment (queue "") and of its queues', security: ['bearer'] });
  app.get('/deployments/:id/business-hours', async (req) => {
    const { id } = parseOr400(deploymentParams, req.params, 'path');
    return { businessHours: await admin.businessHours.list(id) };
  });
  doc({
    method: 'put',
    path: `${P}/deployments/:id/business-hours`,
    tag: 'admin',
    summary: 'Set business hours (time zone, weekly intervals, holidays) for the deployment (queue "") or one queue; outside them the widget offers "leave a message"',
    body: businessHoursBody,
    security: ['bearer'],
  });
  app.put('/deployments/:id/business-hours', async (req) => {
    const { id } = parseOr400(deploymentParams, req.params, 'path');
    return { businessHours: await admin.businessHours.put(id, parseOr400(businessHoursBody, req.body, 'business hours')) };
  });
  doc({
    method: 'delete',
    path: `${P}/deployments/:id/business-hours`,
    tag: 'admin',
    summary: 'Remove the business hours of the deployment (?queue= for a queue): always open again',
    query: queueQuery,
    security: ['bearer'],
  });
  app.delete('/deployments/:id/business-hours', async (req) => {
    const { id } = parseOr400(deploymentParams, req.params, 'path');
    await admin.businessHours.delete(id, parseOr400(queueQuery, req.query, 'query').queue);
    return { deleted: true };
  });
}
