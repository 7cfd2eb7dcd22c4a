// Nexudus webhooks as Pulumi resources.
package nexudus
